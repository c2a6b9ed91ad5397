#!/usr/bin/env bash
# Darwin Core import throughput: a synthetic occurrence table of ROWS rows (default
# 1,000,000; 500 taxa over Seine-et-Marne) imported into a fresh SQLite database by the
# release binary, then imported again (every row an update).
#
# Target: ≥ 200,000 rows/s into SQLite on the 2-core reference machine.
# Run: benches/import/biodiversity.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin balade --example synthetic_dwc
target/release/examples/synthetic_dwc "$rows" "$work/occurrences.tsv"
echo "file: $(du -h "$work/occurrences.tsv" | cut -f1), $rows rows"
for run in first again; do
  start=$(date +%s.%N)
  target/release/balade --db "sqlite://$work/bench.db" import biodiversity "$work/occurrences.tsv" | tail -1
  end=$(date +%s.%N)
  awk -v r="$rows" -v s="$start" -v e="$end" -v run="$run" \
    'BEGIN { t = e - s; printf "%s import: %.2f s, %.0f rows/s\n", run, t, r / t }'
done

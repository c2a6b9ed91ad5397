#!/usr/bin/env bash
# Darwin Core import throughput: a synthetic occurrence table of ROWS rows (default
# 1,000,000; 500 taxa over Seine-et-Marne) imported into a fresh SQLite database by the
# release binary; then planned against the store that holds it (--dry-run: every row
# read back and compared, nothing written); then imported again (every row unchanged).
#
# Targets: ≥ 200,000 rows/s into SQLite on the 2-core reference machine; the plan no
# dearer than 1.3× the first import.
# Run: benches/import/biodiversity.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin balade --example synthetic_dwc
target/release/examples/synthetic_dwc "$rows" "$work/occurrences.tsv"
echo "file: $(du -h "$work/occurrences.tsv" | cut -f1), $rows rows"
timed() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  target/release/balade --db "sqlite://$work/bench.db" import biodiversity "$@" "$work/occurrences.tsv" | tail -2 | head -1
  end=$(date +%s.%N)
  awk -v r="$rows" -v s="$start" -v e="$end" -v label="$label" \
    'BEGIN { t = e - s; printf "%s: %.2f s, %.0f rows/s\n", label, t, r / t }'
}
timed "first import"
timed "plan (dry run)" --dry-run
timed "import again (unchanged)"

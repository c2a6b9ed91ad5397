#!/usr/bin/env bash
# Darwin Core import throughput: a synthetic occurrence table of ROWS rows (default
# 1,000,000; 500 taxa over Seine-et-Marne) imported into a fresh SQLite database by the
# release binary; then planned against the store that holds it (--dry-run: every row
# read back and compared, nothing written); then imported again (every row unchanged);
# then a file of APPEND (10,000) new rows added to it, and another such file in which one
# row changes an observation already stored (the species aggregates are then counted
# again from every observation, where new rows alone are added to them).
#
# Targets: ≥ 200,000 rows/s into SQLite on the 2-core reference machine, and at least
# half the rate of the sqlite3 shell's raw `.import` of the same file in the same run
# (a plain table, one transaction); the plan no dearer than 1.3× the first import.
# Run: benches/import/biodiversity.sh [ROWS] (BALADE_BIN, DWC_BIN: other binaries)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# BALADE_BIN and DWC_BIN name other binaries (built otherwise).
if [ -z "${BALADE_BIN:-}" ] || [ -z "${DWC_BIN:-}" ]; then
  cargo build --release --locked --quiet --bin balade --example synthetic_dwc
fi
bin=${BALADE_BIN:-target/release/balade}
"${DWC_BIN:-target/release/examples/synthetic_dwc}" "$rows" "$work/occurrences.tsv"
echo "file: $(du -h "$work/occurrences.tsv" | cut -f1), $rows rows"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null; }
timed() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  local file=$work/occurrences.tsv n=$rows
  if [ "${1:-}" = --file ]; then file=$2 n=$3; shift 3; fi
  "$bin" --db "sqlite://$work/bench.db" import biodiversity "$@" "$file" | tail -2 | head -1
  end=$(date +%s.%N)
  awk -v r="$n" -v s="$start" -v e="$end" -v label="$label" \
    'BEGIN { t = e - s; printf "%s: %.2f s, %.0f rows/s\n", label, t, r / t }'
}
timed "first import" | tee "$work/first"
start=$(date +%s.%N)
sqlite3 "$work/raw.db" -cmd ".mode tabs" ".import $work/occurrences.tsv occurrences"
end=$(date +%s.%N)
awk -v r="$rows" -v s="$start" -v e="$end" -v first="$(tail -1 "$work/first" | awk '{ print $(NF-1) }')" \
  'BEGIN { raw = r / (e - s); printf "raw sqlite3 .import: %.2f s, %.0f rows/s; the import reaches %.2f of it\n", e - s, raw, first / raw }'
timed "plan (dry run)" --dry-run
timed "import again (unchanged)"
append=10000
"${DWC_BIN:-target/release/examples/synthetic_dwc}" "$append" "$work/new.tsv" "$rows"
timed "append $append new rows" --file "$work/new.tsv" "$append"
# The next new rows, the fifth of them renamed after the first observation stored.
"${DWC_BIN:-target/release/examples/synthetic_dwc}" "$append" "$work/more.tsv" $((rows + append))
awk -F '\t' -v OFS='\t' 'NR == 6 { $1 = "synth-0" } { print }' "$work/more.tsv" >"$work/changed.tsv"
timed "append $((append - 1)) new rows, change one" --file "$work/changed.tsv" "$append"

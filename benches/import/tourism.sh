#!/usr/bin/env bash
# OSM import throughput: a synthetic OSM XML extract of PLACES tagged nodes (default
# 300,000: lodging, food, viewpoints, heritage, services over Seine-et-Marne) imported
# into a fresh SQLite database by the release binary, next to the sqlite3 shell's raw
# `.import` of the same places as rows (id, kind, name, lon, lat, tags) in the same run.
#
# Target (issue "A national catalogue on a small machine"): the import reaches at least
# half the raw rate, with durable commits (the store runs synchronous=FULL).
# Run: benches/import/tourism.sh [PLACES] (BALADE_BIN: another binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
places="${1:-300000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -n "${BALADE_BIN:-}" ] || cargo build --release --locked --quiet --bin balade
bin=${BALADE_BIN:-target/release/balade}
python3 benches/import/synthetic_osm.py "$places" "$work/places.osm" "$work/places.tsv"
echo "file: $(du -h "$work/places.osm" | cut -f1), $places places"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null; }
rate() { # label seconds → "label: T s, R places/s"
  awk -v r="$places" -v t="$2" -v label="$1" 'BEGIN { printf "%s: %.2f s, %.0f places/s\n", label, t, r / t }'
}
timed() { # label command… → the command's output, then its rate line
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  rate "$label" "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')"
}
import() { "$bin" --db "sqlite://$work/bench.db" import tourism "$work/places.osm" | tail -2 | head -1; }
timed "import" import | tee "$work/import"
timed "raw sqlite3 .import" sqlite3 "$work/raw.db" -cmd ".mode tabs" \
  "CREATE TABLE places (key TEXT, kind TEXT, name TEXT, lon REAL, lat REAL, tags TEXT);" \
  ".import $work/places.tsv places" | tee "$work/raw"
rate_of() { tail -1 "$1" | awk '{ print $(NF-1) }'; }
awk -v a="$(rate_of "$work/import")" -v b="$(rate_of "$work/raw")" \
  'BEGIN { printf "the import reaches %.2f of the raw rate\n", a / b }'
timed "import again (unchanged)" import

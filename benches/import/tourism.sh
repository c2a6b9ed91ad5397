#!/usr/bin/env bash
# OSM import throughput: a synthetic OSM XML extract of PLACES tagged nodes (default
# 300,000: lodging, food, viewpoints, heritage, services over Seine-et-Marne) imported
# into a fresh SQLite database by the release binary, next to the sqlite3 shell's raw
# `.import` of the same places as rows (id, kind, name, lon, lat, tags) in the same run.
#
# Target (issue "A national catalogue on a small machine"): the import reaches at least
# half the raw rate, with durable commits (the store runs synchronous=FULL). The script
# also loads the rows as Balade stores them (POIs and their indexes, audit entries) with
# the shell: SQLite's own cost for that schema, the bound of any importer.
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
# What SQLite itself costs for the rows as Balade stores them: the imported POIs and
# their audit entries, dumped, then loaded by the shell into the same tables (same
# indexes, WAL, synchronous=FULL). The gap to the plain rate above is the schema's.
sqlite3 "$work/bench.db" ".schema pois" ".schema audit_log" > "$work/schema.sql"
sqlite3 -cmd ".mode tabs" "$work/bench.db" "SELECT * FROM pois" > "$work/pois.tsv"
sqlite3 -cmd ".mode tabs" "$work/bench.db" "SELECT * FROM audit_log" > "$work/audit.tsv"
timed "raw sqlite3 .import into Balade's tables" sqlite3 "$work/schema.db" \
  -cmd "PRAGMA journal_mode=WAL" -cmd "PRAGMA synchronous=FULL" -cmd ".read $work/schema.sql" \
  -cmd ".mode tabs" ".import $work/pois.tsv pois" ".import $work/audit.tsv audit_log" \
  | grep -v '^wal$' | tee "$work/schema"
awk -v a="$(rate_of "$work/import")" -v b="$(rate_of "$work/schema")" \
  'BEGIN { printf "the import reaches %.2f of the raw rate into the same tables\n", a / b }'
# The same rows into tables with no index nor key at all: what their bytes alone cost
# SQLite. Half the plain rate above leaves the whole import less time than this.
timed "raw sqlite3 .import of the same rows into bare tables" sqlite3 "$work/bare.db" \
  -cmd "PRAGMA journal_mode=WAL" -cmd "PRAGMA synchronous=FULL" \
  -cmd "CREATE TABLE pois (id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee, details, updated_at, digest)" \
  -cmd "CREATE TABLE audit_log (kind, key, version, at, actor, origin, changes, view, overrides)" \
  -cmd ".mode tabs" ".import $work/pois.tsv pois" ".import $work/audit.tsv audit_log" \
  | grep -v '^wal$' | tee "$work/bare"
awk -v a="$(rate_of "$work/raw")" -v b="$(rate_of "$work/bare")" \
  'BEGIN { printf "those rows alone load at %.2f of the plain rate\n", b / a }'
timed "import again (unchanged)" import

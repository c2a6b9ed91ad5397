#!/usr/bin/env bash
# A national catalogue on one small machine, by simulation: synthetic heritage notices,
# circuits with traces of real length and species observations over metropolitan
# France, imported into a fresh SQLite file by the release binary; then a server is
# started and measured: start-up until /healthz answers, RSS, the list with filters,
# nearby and sheets under wrk (16 connections, 10 s each), and the propagation of one
# staff edit of a POI, then of a circuit, to a second server on the same database.
#
# Goals (issue "A national catalogue on a small machine"): start ≤ 3 s, RSS ≤ 300 MB,
# nearby p99 < 2 ms; the figures and the first limit met go in benches/README.md.
# The first limit it met: a GeoJSON file is read whole and capped at 64 MiB (30,000
# circuits with a point every 100 m make 86 MB), so circuits come in files of 5,000.
# Run: benches/national/run.sh [HERITAGE] [CIRCUITS] [OBSERVATIONS] (BALADE_BIN: another binary)
#      (default 300000 30000 10000000; 50000000 observations as an optional run)
set -euo pipefail
cd "$(dirname "$0")/../.."
heritage=${1:-300000}
circuits=${2:-30000}
observations=${3:-10000000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
if [ -z "${BALADE_BIN:-}" ]; then cargo build --release --locked --quiet --bin balade; fi
bin=${BALADE_BIN:-$PWD/target/release/balade}
work=$(mktemp -d /tmp/balade-national.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
db="sqlite://$work/national.db"

echo "== generating $heritage notices, $circuits circuits, $observations observations"
python3 benches/national/generate.py "$work" "$heritage" "$circuits" "$observations"
du -ch "$work"/heritage.txt "$work"/circuits-*.geojson "$work"/observations.tsv | tail -4

import() { # kind files…
  local start end kind=$1
  shift
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$bin" --db "$db" import "$kind" "$@" | tail -1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v kind="$kind" -v rss="$(cat "$work/rss")" \
    'BEGIN { printf "import %s: %.1f s, peak RSS %.0f MB\n", kind, e - s, rss / 1024 }'
}
import ariane "$work/heritage.txt"
import circuits "$work"/circuits-*.geojson
import biodiversity "$work/observations.tsv"
du -h "$work/national.db"

serve() { # output-prefix
  RUST_LOG=warn,balade_app::catalog=debug "$bin" --db "$db" serve --addr 127.0.0.1:0 \
    >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  echo $! >"$work/$1.pid"
}
started=$(date +%s.%N)
serve a
pid=$(cat "$work/a.pid")
url=""
for _ in $(seq 1200); do
  url=$(sed -n 's/^listening on //p' "$work/a.out")
  [ -n "$url" ] && curl -sf "$url/healthz" >/dev/null && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$work/a.err"; exit 1; }
ready=$(date +%s.%N)
awk -v s="$started" -v e="$ready" 'BEGIN { printf "start until /healthz: %.2f s\n", e - s }'
rss() { awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }
echo "RSS after start: $(rss "$pid")"

for what in list nearby sheet sheet_browser; do
  # One wrk thread, as in benches/load/nearby.sh: two share the two cores with the
  # server and their time slices become its p99.
  echo "== $what: wrk -t1 -c16 -d10s"
  BALADE_SHEETS=$((circuits < 1000 ? circuits : 1000)) wrk -t1 -c16 -d10s --latency -s "benches/national/$what.lua" "$url" | grep -E "Requests/sec|50%|99%|Non-2xx"
done
echo "RSS after load: $(rss "$pid")"

echo "== one edit's propagation to a second server"
serve b
for _ in $(seq 1200); do
  url_b=$(sed -n 's/^listening on //p' "$work/b.out")
  [ -n "$url_b" ] && curl -sf "$url_b/healthz" >/dev/null && break
  sleep 0.05
done
echo "a-long-enough-password" | "$bin" --db "$db" user add bench@national.fr --role admin --password-stdin >/dev/null
curl -sf -c "$work/jar" -H "Origin: $url" -H 'content-type: application/json' \
  -d '{"email":"bench@national.fr","password":"a-long-enough-password"}' "$url/api/v1/auth/login"
# edited WHAT ID PATCH CHECK-URL: a staff PATCH of /api/v1/admin/WHAT/ID on the first
# server, then CHECK-URL asked of the second until it names ID.
edited() {
  local etag asked saved seen
  etag=$(curl -sf -b "$work/jar" -D - -o /dev/null "$url/api/v1/admin/$1/$2" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
  asked=$(date +%s.%N)
  curl -sf -b "$work/jar" -X PATCH -H "Origin: $url" -H "If-Match: $etag" \
    -H 'content-type: application/merge-patch+json' -d "$3" "$url/api/v1/admin/$1/$2" >/dev/null
  saved=$(date +%s.%N)
  for _ in $(seq 2000); do
    curl -sf "$url_b$4" | grep -q "\"$2\"" && break
    sleep 0.01
  done
  seen=$(date +%s.%N)
  awk -v a="$asked" -v b="$saved" -v c="$seen" -v what="$1" \
    'BEGIN { printf "%s edit saved in %.0f ms; on the second server after %.0f ms\n", what, (b - a) * 1000, (c - a) * 1000 }'
}
poi=$(curl -sf -b "$work/jar" "$url/api/v1/admin/pois?q=moulin&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pois"][0]["id"])')
edited pois "$poi" '{"lon": 0.123456, "lat": 45.654321}' \
  "/api/v1/pois/nearby?lon=0.123456&lat=45.654321&radius=5&limit=5"
echo "== one circuit's edit (a new name) reaching the second server's list"
circuit=$(curl -sf "$url/api/v1/circuits?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"][0]["id"])')
edited circuits "$circuit" '{"name": "Boucle renommée Zyxwv"}' "/api/v1/circuits?q=zyxwv&limit=1"
grep "catalogue followed" "$work/b.err" | tail -2 | sed 's/^/  /' || true
echo "whole reloads on the second server after its start: $(grep -c "catalogue reloaded" "$work/b.err" || true)"
echo "RSS of the second server: $(rss "$(cat "$work/b.pid")")"

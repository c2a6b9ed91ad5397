#!/usr/bin/env bash
# Memory and start-up of a server by catalogue size: for each count of synthetic POIs
# (Seine-et-Marne box, SQLite), the release server is started on a seeded file and
# measured: seconds from launch until /healthz answers, and its RSS once it does (and
# after a few nearby answers). Bytes per POI are the growth over the empty catalogue.
#
# Goals (issue "A national catalogue on a small machine"): start ≤ 3 s and RSS ≤ 300 MB
# at 1,000,000 POIs.
# Run from the repository root: benches/load/memory.sh [COUNTS…] (default 100000 1000000 3000000)
# BALADE_BIN and SEED_BIN name other binaries (built otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100000 1000000 3000000)
if [ -z "${BALADE_BIN:-}" ] || [ -z "${SEED_BIN:-}" ]; then
  cargo build --release --locked --quiet --bin balade --example seed_pois
fi
bin=${BALADE_BIN:-$PWD/target/release/balade}
seed=${SEED_BIN:-$PWD/target/release/examples/seed_pois}
work=$(mktemp -d /tmp/balade-memory.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

measure() { # count
  local db="sqlite://$work/m$1.db" start url="" ready rss rss_after
  [ "$1" -gt 0 ] && "$seed" "$db" "$1" >/dev/null
  [ "$1" -gt 0 ] || "$bin" --db "$db" db migrate >/dev/null
  start=$(date +%s.%N)
  "$bin" --db "$db" serve --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 6000); do
    url=$(sed -n 's/^listening on //p' "$work/out" 2>/dev/null || true)
    [ -n "$url" ] && curl -sf "$url/healthz" >/dev/null && break
    sleep 0.01
  done
  ready=$(date +%s.%N)
  rss=$(rss_mb "$pid")
  for lon in 2.6 2.8 3.0 3.2; do
    curl -s -o /dev/null "$url/api/v1/pois/nearby?near=$lon,48.6&radius=2000&limit=20"
  done
  rss_after=$(rss_mb "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  rm -f "$work/m$1.db"*
  awk -v n="$1" -v s="$start" -v r="$ready" -v m="$rss" -v a="$rss_after" \
    'BEGIN { printf "%9d POIs: start %.2f s, RSS %d MB, after answers %d MB\n", n, r - s, m, a }'
  echo "$1 $rss" >>"$work/rss"
}

measure 0
for n in "${counts[@]}"; do measure "$n"; done
awk 'NR == 1 { base = $2; next } { printf "%9d POIs: %.0f bytes per POI over the empty server\n", $1, ($2 - base) * 1048576 / $1 }' "$work/rss"

#!/usr/bin/env bash
# HTTP load on loopback: GET /api/v1/pois/nearby at 1M POIs, 10 s, 64 connections, on
# SQLite and on PostGIS, with wrk (Debian package, installed when missing).
# Target: ≥ 30,000 requests/s and p99 < 2 ms on the 2-core reference machine, on either
# backend (both answer from the server's memory); at 16 connections p99 < 2 ms too
# (issue "A national catalogue on a small machine"), and ≥ 8× the raw PostGIS k-NN of
# the same points (pgbench, 64 clients, benches/load/postgis_knn.sql).
# Run from the repository root: benches/load/nearby.sh [POIS]
# BALADE_BIN and SEED_BIN name other binaries (built otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
pois=${1:-1000000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
if [ -z "${BALADE_BIN:-}" ] || [ -z "${SEED_BIN:-}" ]; then
  cargo build --release --locked --bin balade --example seed_pois
fi
bin=${BALADE_BIN:-$PWD/target/release/balade}
seed=${SEED_BIN:-$PWD/target/release/examples/seed_pois}
work=$(mktemp -d /tmp/balade-load.XXXXXX)
trap 'rm -rf "$work"' EXIT

run() { # backend-name database-url
  echo "== $1: seeding $pois POIs"
  "$seed" "$2" "$pois"
  "$bin" --db "$2" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
  local pid=$!
  local url=""
  for _ in $(seq 600); do
    url=$(sed -n 's/^listening on //p' "$work/serve.out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/serve.err"; kill $pid; exit 1; }
  # One wrk thread: it drives the server as hard as two (the same req/s at 64
  # connections), and on two cores a second one makes four busy threads for two cores,
  # whose time slices (a few ms) then show up as the server's p99.
  for c in 64 16; do
    echo "== $1: wrk -t1 -c$c -d10s on $url"
    wrk -t1 -c$c -d10s --latency -s benches/load/nearby.lua "$url" | tee "$work/$1-$c.txt"
  done
  kill $pid; wait $pid 2>/dev/null || true
}

run sqlite "sqlite://$work/load.db"
# shellcheck disable=SC2016
./scripts/with-postgres bash -c "$(declare -f run); pois=$pois; work=$work; bin=$bin; seed=$seed; "'
  psql -q "$BALADE_TEST_POSTGRES" -c "CREATE DATABASE load TEMPLATE balade_template"
  db="${BALADE_TEST_POSTGRES%/postgres}/load"
  run postgres "$db"
  echo "== raw PostGIS k-NN on the same points: pgbench -c64 -j2 -T10 (benches/load/postgis_knn.sql)"
  psql -q "$db" -c "VACUUM ANALYZE pois"
  pgbench -n -c64 -j2 -T10 -f benches/load/postgis_knn.sql "$db" | tee "$work/pgbench.txt" | grep -E "^(tps|latency)"'
# The goal: the server's nearby at 64 connections ≥ 8× raw PostGIS on the same points.
tps=$(awk '/^tps/ { print $3 }' "$work/pgbench.txt")
for backend in sqlite postgres; do
  rps=$(awk '/Requests\/sec/ { print $2 }' "$work/$backend-64.txt")
  awk -v r="$rps" -v t="$tps" -v b="$backend" \
    'BEGIN { printf "server on %s: %.0f req/s = %.1f× raw PostGIS k-NN (%.0f q/s); goal ≥ 8×\n", b, r, r / t, t }'
done

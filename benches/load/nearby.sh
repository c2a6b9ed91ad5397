#!/usr/bin/env bash
# HTTP load on loopback: GET /api/v1/pois/nearby at 1M POIs, 10 s, 64 connections, on
# SQLite and on PostGIS, with wrk (Debian package, installed when missing).
# Target: ≥ 30,000 requests/s and p99 < 2 ms on the 2-core reference machine, on either
# backend (both answer from the server's memory).
# Run from the repository root: benches/load/nearby.sh [POIS]
set -euo pipefail
cd "$(dirname "$0")/../.."
pois=${1:-1000000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
cargo build --release --locked --bin balade --example seed_pois
work=$(mktemp -d /tmp/balade-load.XXXXXX)
trap 'rm -rf "$work"' EXIT

run() { # backend-name database-url
  echo "== $1: seeding $pois POIs"
  ./target/release/examples/seed_pois "$2" "$pois"
  ./target/release/balade --db "$2" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
  local pid=$!
  local url=""
  for _ in $(seq 600); do
    url=$(sed -n 's/^listening on //p' "$work/serve.out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/serve.err"; kill $pid; exit 1; }
  echo "== $1: wrk -t2 -c64 -d10s on $url"
  wrk -t2 -c64 -d10s --latency -s benches/load/nearby.lua "$url" | tee "$work/$1.txt"
  kill $pid; wait $pid 2>/dev/null || true
}

run sqlite "sqlite://$work/load.db"
# shellcheck disable=SC2016
./scripts/with-postgres bash -c "$(declare -f run); pois=$pois; work=$work; "'
  psql -q "$BALADE_TEST_POSTGRES" -c "CREATE DATABASE load TEMPLATE balade_template"
  run postgres "${BALADE_TEST_POSTGRES%/postgres}/load"'

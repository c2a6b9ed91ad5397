#!/usr/bin/env bash
# The server under abuse, on loopback: 2,000 idle TCP connections held open (reopened as
# the server closes them at its header timeout) while wrk sends 256 connections of
# nearby and circuit-list requests for 60 s; /healthz is asked twice a second meanwhile.
# Target: 0 wrk errors (socket errors, non-2xx), every /healthz answered 200.
# The demo server in release (`serve --demo`, its circuits and POIs); wrk is the Debian
# package, installed when missing.
# Run from the repository root: benches/load/abuse.sh [SECONDS] [CONNECTIONS] [IDLE]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
connections=${2:-256}
idle=${3:-2000}
ulimit -n 20000
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
cargo build --release --locked --bin balade
work=$(mktemp -d /tmp/balade-abuse.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

./target/release/balade --db "sqlite://$work/demo.db" serve --demo --addr 127.0.0.1:0 \
  >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
url=""
for _ in $(seq 600); do
  url=$(sed -n 's/^listening on //p' "$work/serve.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.err"; exit 1; }
hostport=${url#http://}

echo "== $idle idle connections to $url"
python3 benches/load/idle.py "${hostport%:*}" "${hostport##*:}" "$idle" "$((seconds + 15))" &
pids+=($!)
sleep 3
python3 benches/load/health.py "$url" "$((seconds + 5))" &
health=$!
pids+=($health)
echo "== wrk -t2 -c$connections -d${seconds}s on $url (nearby and circuit list)"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s benches/load/abuse.lua "$url"
wait "$health"
echo "== server log (warnings and errors)"
grep -E "WARN|ERROR" "$work/serve.err" | sort | uniq -c | sort -rn | head -n 10 || true

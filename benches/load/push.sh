#!/usr/bin/env bash
# Push channel load on loopback: 1,000 WebSocket sessions at once, each following a
# demo circuit and sending a fix a second for 20 s (bounded in count and time).
# Target: every session held, every fix answered, on the 2-core reference machine.
# Run from the repository root: benches/load/push.sh [SESSIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
sessions=${1:-1000}
seconds=${2:-20}
# Each session is a socket on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release --locked --bin balade --example push_load
work=$(mktemp -d /tmp/balade-push.XXXXXX)
./target/release/balade --db "sqlite://$work/push.db" serve --demo --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
url=""
for _ in $(seq 600); do
  url=$(sed -n 's/^listening on //p' "$work/serve.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.err"; exit 1; }
./target/release/examples/push_load "${url/http/ws}/api/v1/push" "$sessions" "$seconds"
echo "server resident memory: $(ps -o rss= -p $pid) KiB"

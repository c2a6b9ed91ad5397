#!/usr/bin/env bash
# The back-office's import path under load: NOTICES synthetic Mérimée notices
# (default 100,000; pipe-delimited, Lambert 93) uploaded to a release server over
# HTTP, planned in the background, then committed, into a fresh SQLite database.
# Reports the time of each step: upload (streamed to disk), plan (from the upload's
# answer until the job is `planned`), commit (the request).
#
# Targets on the 2-core reference machine: plan ≤ 5 s, commit ≤ 5 s.
# Run: benches/import/jobs.sh [NOTICES]
set -euo pipefail
cd "$(dirname "$0")/../.."
notices="${1:-100000}"
work="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin balade
python3 - "$notices" "$work/inventaire.txt" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
random.seed(77)
kinds = ["Église", "Lavoir", "Moulin", "Croix", "Château", "Ferme", "Pont", "Chapelle"]
with open(path, "w", encoding="utf-8") as f:
    f.write("REF|TICO|COM|INSEE|ZONE|COOR|HIST\n")
    for i in range(n):
        x = 640000 + random.random() * 100000
        y = 6780000 + random.random() * 100000
        f.write(f"PA77{i:06d}|{random.choice(kinds)} n°{i}|Commune {i % 500}|77{i % 500:03d}|Lambert93|{x:07.0f};{y:07.0f}|Notice {i}, rédigée pour le banc d'essai.\n")
PY
echo "file: $(du -h "$work/inventaire.txt" | cut -f1), $notices notices"
db="sqlite://$work/bench.db"
target/release/balade --db "$db" db migrate >/dev/null
echo "correct horse battery staple" | target/release/balade --db "$db" user add bench@balade.test --role admin --password-stdin >/dev/null
target/release/balade --db "$db" serve --addr 127.0.0.1:0 --jobs-dir "$work/jobs" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
url=""
for _ in $(seq 300); do
  url=$(sed -n 's/^listening on //p' "$work/serve.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.err"; exit 1; }
jar="$work/cookies"
curl -sf -c "$jar" -H "Origin: $url" -H 'Content-Type: application/json' \
  -d '{"email":"bench@balade.test","password":"correct horse battery staple"}' "$url/api/v1/auth/login"
now() { date +%s.%N; }
t0=$(now)
job=$(curl -sf -b "$jar" -H "Origin: $url" -F "file=@$work/inventaire.txt" -F kind=ariane "$url/api/v1/admin/imports")
t1=$(now)
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$job")
while :; do
  state=$(curl -sf -b "$jar" "$url/api/v1/admin/imports/$id")
  status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$state")
  [ "$status" = queued ] || [ "$status" = running ] || break
  sleep 0.05
done
t2=$(now)
echo "plan: $state"
t3=$(now)
curl -sf -b "$jar" -H "Origin: $url" -H 'Content-Type: application/json' -d '{}' \
  "$url/api/v1/admin/imports/$id/commit" >"$work/commit.json"
t4=$(now)
echo "commit: $(cat "$work/commit.json")"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v n="$notices" 'BEGIN {
  printf "upload %.2f s, plan %.2f s (%.0f notices/s), commit %.2f s (%.0f notices/s)\n",
    b - a, c - b, n / (c - b), e - d, n / (e - d) }'

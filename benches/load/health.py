"""Asks BASE/healthz every half second for SECONDS, each on a new connection with a 5 s
timeout, and prints how many answered 200 and the slowest answer."""
import sys, time, urllib.request

base, seconds = sys.argv[1], float(sys.argv[2])
ok, failed, times = 0, [], []
end = time.monotonic() + seconds
while time.monotonic() < end:
    t = time.monotonic()
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
            r.read()
            ok += r.status == 200
            times.append(time.monotonic() - t)
    except Exception as e:
        failed.append(str(e))
    time.sleep(max(0.0, 0.5 - (time.monotonic() - t)))
times.sort()
slowest = f"{times[-1] * 1000:.1f} ms" if times else "-"
median = f"{times[len(times) // 2] * 1000:.1f} ms" if times else "-"
print(f"healthz: {ok} answered 200, {len(failed)} failed; median {median}, slowest {slowest}")
for f in failed[:5]:
    print(f"  failed: {f}")

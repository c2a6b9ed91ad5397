"""Holds N idle TCP connections to HOST:PORT for SECONDS: each connects and sends
nothing; one the server closes is opened again at once. Prints, every 10 s and at the
end, how many are held and how many the server closed. A connection the server answers
(503 when over its cap) counts as closed too."""
import selectors, socket, sys, time

host, port, n, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
sel = selectors.DefaultSelector()
closed = 0

def open_one():
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((host, port))
    sel.register(s, selectors.EVENT_READ)

for _ in range(n):
    open_one()
end = time.monotonic() + seconds
next_report = time.monotonic() + 10
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(s)
            s.close()
            closed += 1
            open_one()
    if time.monotonic() >= next_report:
        print(f"idle: {len(sel.get_map())} held, {closed} closed by the server so far", flush=True)
        next_report += 10
print(f"idle: {len(sel.get_map())} held at the end, {closed} closed by the server in all", flush=True)

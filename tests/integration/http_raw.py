"""http_raw.py [OPTIONS] PORT [OPTIONS] DATA...   (OPTIONS: --host=H --close --format=FMT)

The echo tests' raw HTTP client: writes every DATA (escapes such as \\r\\n
and \\x00 decoded) in ONE write, so the server sees them pipelined or, with
a PROXY header in front, as one stream; then prints one line per HTTP
answer, formatted by FMT (str.format fields: status, conn, len, ctype,
body), or "no-response" where an answer did not come (why, on stderr).
With --close, a last line says what the server did next: closed, open,
reset or extra-data.
"""
import http.client
import socket
import sys

FULL = "{status} conn={conn} len={len} ctype={ctype} body={body!r}"

args = sys.argv[1:]
host, wait_close, fmt = "127.0.0.1", False, FULL


def take_options():
    global host, wait_close, fmt
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a.startswith("--host="):
            host = a[len("--host="):]
        elif a == "--close":
            wait_close = True
        elif a.startswith("--format="):
            fmt = a[len("--format="):]
        else:
            sys.exit("http_raw.py: unknown option " + a)


# Options before PORT are a test's own settings, those after it a call's.
take_options()
port = int(args.pop(0))
take_options()
reqs = [a.encode().decode("unicode_escape").encode("latin-1") for a in args]

s = socket.create_connection((host, port), timeout=10)
try:
    s.sendall(b"".join(reqs))
except (BrokenPipeError, ConnectionResetError):
    pass  # refused part-way (a PROXY header it does not take): read what came
f = s.makefile("rb")


class Keep:  # HTTPResponse closes its file when done; the next one needs it
    def __init__(self, f): self.f = f
    def __getattr__(self, n): return getattr(self.f, n)
    def close(self): pass


class Sock:
    def makefile(self, *a, **k): return Keep(f)


for r in reqs:
    # Only HEAD changes how an answer is read; latin-1 takes any bytes (a
    # binary PROXY v2 header in front of the request, say).
    method = r.split(b" ", 1)[0].decode("latin-1")
    resp = http.client.HTTPResponse(Sock(), method=method)
    try:
        resp.begin()
    except Exception as e:
        print("no-response")
        print("http_raw.py: no response:", type(e).__name__, file=sys.stderr)
        break
    body = resp.read()
    print(fmt.format(status=resp.status, conn=resp.getheader("Connection", "-"),
                     len=resp.getheader("Content-Length", "-"),
                     ctype=resp.getheader("Content-Type", "-"), body=body.decode("latin-1")))
if wait_close:
    s.settimeout(5)
    try:
        print("closed" if f.read(1) == b"" else "extra-data")
    except (socket.timeout, TimeoutError):
        print("open")
    except ConnectionResetError:
        print("reset")

#!/usr/bin/env bash
# test_echo_drain.sh — graceful drain on SIGTERM: first, for --drain-accept,
# new connections still answered (Connection: close, /healthz 503); then
# new connections refused, those already in the listen queue answered, the request in flight finished, an idle keep-alive client's next request
# answered with Connection: close, /healthz 503, exit once idle; the drain
# timeout and a second signal cut it short.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/echo_lib.sh"

gone() { ! kill -0 "$1" 2>/dev/null; }

# Python helpers shared by the scenarios: a keep-alive connection that can
# send a request in pieces and read one answer at a time.
cat >"$T_TMP/conn.py" <<'PY'
import os, socket, time
class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
    def send(self, data):
        self.s.sendall(data)
    def answer(self):
        """(status, connection header, body) of the next answer."""
        while b"\r\n\r\n" not in self.buf:
            b = self.s.recv(4096)
            if not b:
                return None
            self.buf += b
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        hdr = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(hdr["content-length"])
        while len(self.buf) < n:
            self.buf += self.s.recv(4096)
        body, self.buf = self.buf[:n], self.buf[n:]
        return (int(lines[0].split()[1]), hdr.get("connection", "-"), body.decode())
    def closed(self):
        try:
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return True
def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        # Accepted into the listen queue just before the listener closed:
        # the kernel resets it, which also means the drain has begun.
        return True
def until(cond, secs=10):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
PY

# 1. The full drain, without the accepting part.
echo_start a --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --drain-timeout 20 || { t_fail "start"; t_done; exit; }
p=$(echo_port a)
out=$(cd "$T_TMP" && python3 - "$p" "$a_pid" <<'PY'
import os, signal, sys
from conn import Conn, refused, until
port, pid = int(sys.argv[1]), int(sys.argv[2])
idle, busy, health = Conn(port), Conn(port), Conn(port)
idle.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
print("before:", idle.answer())
health.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("healthz before:", health.answer())
busy.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")  # in flight
os.kill(pid, signal.SIGTERM)
print("new connections refused:", until(lambda: refused(port)))
health.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("healthz during:", health.answer(), "closed:", health.closed())
busy.send(b"world")
print("in flight:", busy.answer(), "closed:", busy.closed())
idle.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
print("idle client:", idle.answer(), "closed:", idle.closed())
PY
)
t_eq "before the drain" "before: (200, '-', '::ffff:127.0.0.1')" "$(printf '%s\n' "$out" | sed -n 1p)"
t_eq "healthz before" "healthz before: (200, '-', 'ok')" "$(printf '%s\n' "$out" | sed -n 2p)"
t_eq "SIGTERM: stops accepting" "new connections refused: True" "$(printf '%s\n' "$out" | sed -n 3p)"
t_eq "SIGTERM: /healthz 503, then closed" "healthz during: (503, 'close', 'draining') closed: True" \
	"$(printf '%s\n' "$out" | sed -n 4p)"
t_eq "SIGTERM: request in flight finished" "in flight: (200, 'close', '::ffff:127.0.0.1') closed: True" \
	"$(printf '%s\n' "$out" | sed -n 5p)"
t_eq "SIGTERM: idle keep-alive client told Connection: close" \
	"idle client: (200, 'close', '::ffff:127.0.0.1') closed: True" "$(printf '%s\n' "$out" | sed -n 6p)"
t_ok "SIGTERM: exits once idle, well before the drain timeout" t_wait 10 gone "$a_pid"
wait "$a_pid"
t_eq "SIGTERM: exit status 0" 0 $?
t_match "SIGTERM: logged" "draining" "$(cat "$T_TMP/a.log")"

# 2. No connections: SIGTERM exits at once.
echo_start b --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --drain-timeout 30 || t_fail "start b"
kill -TERM "$b_pid"
t_ok "idle server exits on SIGTERM" t_wait 10 gone "$b_pid"

# 3. A client that never sends again: the drain timeout ends the wait.
echo_start c --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --drain-timeout 0.5 --header-timeout 60 ||
	t_fail "start c"
pc=$(echo_port c)
out=$(cd "$T_TMP" && python3 - "$pc" "$c_pid" <<'PY'
import os, signal, sys
from conn import Conn, alive, until
port, pid = int(sys.argv[1]), int(sys.argv[2])
c = Conn(port)
c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
c.answer()
os.kill(pid, signal.SIGTERM)
print("exited:", until(lambda: not alive(pid), 20), "closed:", c.closed())
PY
)
t_eq "drain timeout: exits and closes the idle connection" "exited: True closed: True" "$out"
t_match "drain timeout: logged" "drain timeout: closing 1 connection" "$(cat "$T_TMP/c.log")"

# 4. A second signal stops at once.
echo_start d --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --drain-timeout 60 || t_fail "start d"
pd=$(echo_port d)
out=$(cd "$T_TMP" && python3 - "$pd" "$d_pid" <<'PY'
import os, signal, sys
from conn import Conn, alive, refused, until
port, pid = int(sys.argv[1]), int(sys.argv[2])
c = Conn(port)
c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
c.answer()
os.kill(pid, signal.SIGTERM)
until(lambda: refused(port))  # the first signal has started the drain
os.kill(pid, signal.SIGINT)
print("exited:", until(lambda: not alive(pid), 20), "closed:", c.closed())
PY
)
t_eq "second signal: stops without waiting for the drain" "exited: True closed: True" "$out"

# 5. Several workers drain together.
echo_start e --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --workers 4 || t_fail "start e"
pe=$(echo_port e)
for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null "http://127.0.0.1:$pe/"; done
kill -TERM "$e_pid"
t_ok "--workers 4: all drain and exit" t_wait 10 gone "$e_pid"
wait "$e_pid"
t_eq "--workers 4: exit status 0" 0 $?

# 6. Connections the kernel accepted while the server was not looking (its
# listen queue) are answered on SIGTERM, not reset by the listener's close.
echo_start f --listen '[::ffff:127.0.0.1]:0' --drain-accept 0 --drain-timeout 20 || t_fail "start f"
pf=$(echo_port f)
out=$(cd "$T_TMP" && python3 - "$pf" "$f_pid" <<'PY'
import os, signal, sys
from conn import Conn, alive, until
port, pid = int(sys.argv[1]), int(sys.argv[2])
os.kill(pid, signal.SIGSTOP)           # the server takes nothing from its queue
queued = [Conn(port) for _ in range(5)]
for c in queued:
    c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
os.kill(pid, signal.SIGTERM)           # the drain starts with five in the queue
os.kill(pid, signal.SIGCONT)
answers = []
for c in queued:
    try:
        answers.append(c.answer())
    except ConnectionResetError:
        answers.append("reset")
# Answered, whether before the drain began (a worker may take its queue
# on SIGCONT before it hears of the signal) or during it; never closed or
# reset without an answer.
print("answered:", sum(1 for a in answers if a and a != "reset" and a[0] == 200),
      "reset:", answers.count("reset"))
print("exited:", until(lambda: not alive(pid), 20))
PY
)
t_eq "queued connections: all five answered, none reset" "answered: 5 reset: 0" \
	"$(printf '%s\n' "$out" | sed -n 1p)"
t_eq "queued connections: then it exits" "exited: True" "$(printf '%s\n' "$out" | sed -n 2p)"

# 7. The accepting part: for --drain-accept after SIGTERM, new connections
# are still answered, with Connection: close and /healthz 503, even when
# the server was idle for a while; then it refuses them and exits. SIGINT
# skips that part.
echo_start g --listen '[::ffff:127.0.0.1]:0' --drain-accept 2 || t_fail "start g"
pg=$(echo_port g)
out=$(cd "$T_TMP" && python3 - "$pg" "$g_pid" <<'PY'
import os, signal, sys, time
from conn import Conn, alive, refused, until
port, pid = int(sys.argv[1]), int(sys.argv[2])
os.kill(pid, signal.SIGTERM)
time.sleep(0.3)   # idle for a moment: not the end of the drain
c = Conn(port)
c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
print("new connection answered:", c.answer(), "closed:", c.closed())
h = Conn(port)
h.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("healthz:", h.answer())
print("then refused:", until(lambda: refused(port), 10), "exited:", until(lambda: not alive(pid), 10))
PY
)
t_eq "accepting part: new connections answered, told to close" \
	"new connection answered: (200, 'close', '::ffff:127.0.0.1') closed: True" \
	"$(printf '%s\n' "$out" | sed -n 1p)"
t_eq "accepting part: /healthz 503" "healthz: (503, 'close', 'draining')" \
	"$(printf '%s\n' "$out" | sed -n 2p)"
t_eq "accepting part: then refused, and exits" "then refused: True exited: True" \
	"$(printf '%s\n' "$out" | sed -n 3p)"
t_match "accepting part: logged" "accepting for 2000 ms more" "$(cat "$T_TMP/g.log")"
echo_start h --listen '[::ffff:127.0.0.1]:0' --drain-accept 60 || t_fail "start h"
kill -INT "$h_pid"
t_ok "SIGINT skips the accepting part" t_wait 10 gone "$h_pid"

t_done

"""Memory a stalled request header costs the server: starts a server, opens N connections that
each send a header section without its final blank line and then wait, and prints the server's
RSS before and after (MiB), and the growth per connection. A measurement, not a test.

    /usr/bin/python3 bench/header_memory.py SERVER_BINARY PAYLOAD N [server switches...]

SERVER_BINARY is test/e2e/e2e_server_http_router_server (it prints its port). PAYLOAD:
  empty-fields   1,000,000 `a:` fields (3.8 MiB on the wire)
  big-value      one field value filling the 1 MiB header cap
  many-values    100 fields of 10,400 bytes (the default field count, the cap's size)
"""

import re
import socket
import subprocess
import sys
import time

HEAD = b"GET /hello HTTP/1.1\r\nHost: t\r\n"
PAYLOADS = {
    "empty-fields": HEAD + b"a:\r\n" * 1000000,
    "big-value": HEAD + b"X-Big: " + b"v" * (1024 * 1024 - len(HEAD) - 20),
    "many-values": HEAD + b"".join(b"X-%03d: " % i + b"v" * 10400 + b"\r\n" for i in range(98)),
}


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) / 1024


def settled_rss(pid, seconds=30.0):
    """RSS once it has not changed for a second (bounded by `seconds`)."""
    deadline = time.monotonic() + seconds
    last = rss_mib(pid)
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = rss_mib(pid)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= 1.0:
            break
    return last


def main():
    binary, payload_name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    payload = PAYLOADS[payload_name]
    server = subprocess.Popen([binary, "--port", "0", *sys.argv[4:]], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))
        before = settled_rss(server.pid)
        sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            try:
                s.sendall(payload)
            except OSError:
                pass        # refused and closed before all was sent
            sockets.append(s)
        after = settled_rss(server.pid)
        answered = 0
        for s in sockets:
            s.setblocking(False)
            try:
                answered += bool(s.recv(1024))
            except (BlockingIOError, ConnectionResetError):
                pass
        print(f"{payload_name}: {len(payload)} bytes x {count} connections ({answered} answered): "
              f"RSS {before:.1f} -> {after:.1f} MiB, {(after - before) / count:.2f} MiB per connection")
        for s in sockets:
            s.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()

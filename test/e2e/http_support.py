"""Helpers for the HTTP end-to-end tests (test_http_*.py): start the router test server
(servers/http_router_server.cpp) with switches, speak raw HTTP/1.1 over a socket where a
well-behaved client would not misbehave for us, and parse the responses exactly.

Standard library only; every wait is bounded."""

import http.client
import socket
import subprocess
import threading
import time

from e2e_support import binary, server_process

HELLO = b"Hello, World!"
REFUSAL_501 = b"HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def refusal(status_line):
    """The exact bytes of a refusal the server answers bad input with."""
    return b"HTTP/1.1 " + status_line + b"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


# The name tests may still use; server_process collects and closes the output itself.
router_server_process = server_process


def router_server(*switches):
    """The test server on 127.0.0.1, an ephemeral port, fast timers (100 ms check period)."""
    args = [binary("E2E_SERVER_HTTP_ROUTER_SERVER"), "--port", "0"]
    args += [str(s) for s in switches]
    return router_server_process(args)


def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_close(sock, timeout=5.0, limit=64 * 1024 * 1024):
    """Reads until the peer closes. Returns (bytes, closed, seconds). `closed` is False when
    `timeout` passed first; a reset counts as closed."""
    start = time.monotonic()
    deadline = start + timeout
    data = b""
    while len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False, time.monotonic() - start
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False, time.monotonic() - start
        except (ConnectionResetError, BrokenPipeError):
            return data, True, time.monotonic() - start
        if not chunk:
            return data, True, time.monotonic() - start
        data += chunk
    raise AssertionError("more data than expected")


def exchange(port, request, timeout=5.0):
    """Sends `request` on a new connection and reads until the server closes it."""
    with connect(port, timeout) as s:
        s.sendall(request)
        data, closed, _ = read_until_close(s, timeout)
        if not closed:
            raise AssertionError(f"the server kept the connection open; got {data!r}")
        return data


def send_and_read(port, request, timeout=10.0):
    """Sends `request` from another thread (the server may answer and close before it has read
    everything) while reading until the server closes."""
    with connect(port, timeout) as s:
        def sender():
            try:
                s.sendall(request)
            except OSError:
                pass        # the server closed first, as it may
        t = threading.Thread(target=sender)
        t.start()
        data, closed, _ = read_until_close(s, timeout)
        t.join(timeout)
        if not closed:
            raise AssertionError(f"not closed; got {data[:200]!r}")
        return data


class response_t:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers          # [(name, value)] in wire order
        self.body = body
        self.raw = raw                  # the exact bytes of this response

    def header(self, name):
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        if len(values) != 1:
            raise AssertionError(f"{name}: {len(values)} values in {self.headers}")
        return values[0]

    def __repr__(self):
        return f"response_t({self.status} {self.reason}, {self.headers}, {self.body[:60]!r})"


def parse_response(data, offset=0):
    """Parses one response starting at `offset`. Returns (response_t, next offset) or
    (None, offset) when the bytes are not complete yet. Knows Content-Length and chunked."""
    end = data.find(b"\r\n\r\n", offset)
    if end < 0:
        return None, offset
    head = data[offset:end].decode("latin-1").split("\r\n")
    version, status, reason = (head[0].split(" ", 2) + [""])[:3]
    if not version.startswith("HTTP/1."):
        raise AssertionError(f"not a status line: {head[0]!r}")
    headers = []
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.append((name, value.strip()))
    names = {n.lower(): v for n, v in headers}
    pos = end + 4
    status = int(status)
    if status < 200 or status in (204, 304):
        body = b""
    elif names.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            line_end = data.find(b"\r\n", pos)
            if line_end < 0:
                return None, offset
            size = int(data[pos:line_end].split(b";")[0], 16)
            if len(data) < line_end + 2 + size + 2:
                return None, offset
            body += data[line_end + 2:line_end + 2 + size]
            if data[line_end + 2 + size:line_end + 4 + size] != b"\r\n":
                raise AssertionError("chunk not followed by CRLF")
            pos = line_end + 4 + size
            if size == 0:
                break
    elif "content-length" in names:
        length = int(names["content-length"])
        if len(data) < pos + length:
            return None, offset
        body = data[pos:pos + length]
        pos += length
    else:
        body = data[pos:]
        pos = len(data)
    return response_t(status, reason, headers, body, data[offset:pos]), pos


def parse_all(data):
    """Every complete response in `data`; what is left must be nothing."""
    responses = []
    pos = 0
    while pos < len(data):
        r, pos2 = parse_response(data, pos)
        if r is None:
            raise AssertionError(f"incomplete response at {pos}: {data[pos:pos + 200]!r}")
        responses.append(r)
        pos = pos2
    return responses


def read_responses(sock, count, timeout=5.0):
    """Reads until `count` responses are complete (or fails after `timeout`)."""
    deadline = time.monotonic() + timeout
    data = b""
    responses = []
    pos = 0
    while len(responses) < count:
        r, pos2 = parse_response(data, pos)
        if r is not None:
            responses.append(r)
            pos = pos2
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"got {len(responses)} of {count} responses: {data!r}")
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed after {len(responses)} of {count} responses: {data!r}")
        data += chunk
    if pos != len(data):
        raise AssertionError(f"unexpected bytes after the responses: {data[pos:]!r}")
    return responses


def get(port, path, method="GET", body=None, headers=None, timeout=5.0):
    """One request with http.client on a new connection: (status, headers dict, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def curl(*args, timeout=20.0, input=None):
    """Runs curl; returns the CompletedProcess (stdout and stderr as bytes)."""
    return subprocess.run(["curl", "--silent", "--show-error", "--max-time", str(timeout), *args],
                          capture_output=True, timeout=timeout + 5, input=input)


def assert_serves(test, port):
    """A fresh connection still gets an exact answer."""
    status, headers, body = get(port, "/hello")
    test.assertEqual(status, 200)
    test.assertEqual(body, HELLO)
    test.assertEqual(headers["Content-Length"], "13")


class shared_router_server:
    """Mixin for a TestCase class that shares one router server among its tests, started with
    `server_switches()`; after each test the server must still be alive (and, unless
    `check_serves` is False, still answer a fresh connection)."""
    check_serves = True

    @classmethod
    def server_switches(cls):
        return ()

    @classmethod
    def setUpClass(cls):
        cls.server = router_server(*cls.server_switches()).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server died")
        if self.check_serves:
            assert_serves(self, self.port)

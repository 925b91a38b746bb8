"""A raw-socket WebSocket client for the end-to-end tests: it writes exactly the bytes a test
gives it (malformed frames included) and reads the server's frames byte for byte, so tests can
assert the exact close frame and the TCP EOF that follows. Standard library only; every read
has a deadline. After use_tls(context) every client (and so every helper here) speaks TLS
through `context`, for a server that serves wss://."""

import base64
import hashlib
import json
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="          # RFC 6455 1.3
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
MASK_KEY = bytes([0x11, 0x22, 0x33, 0x44])

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

_tls_context = None


def use_tls(context):
    """An ssl.SSLContext for every raw_client from now on, or None for plain TCP."""
    global _tls_context
    _tls_context = context


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def masked(payload, key=MASK_KEY):
    return bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, key=MASK_KEY, length=None):
    """A client frame. `length` overrides the declared payload length (the payload bytes given
    are sent as they are); `rsv` is a 3-bit value for RSV1..RSV3."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if mask else 0
    if n <= 125:
        head += bytes([mask_bit | n])
    elif n <= 0xFFFF:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if mask:
        return head + key + masked(payload, key)
    return head + payload


def server_frame(opcode, payload=b"", fin=True):
    """The exact bytes the server sends: unmasked, shortest length encoding."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n <= 125:
        head += bytes([n])
    elif n <= 0xFFFF:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def close_frame(code, reason=b""):
    return server_frame(CLOSE, struct.pack("!H", code) + reason)


def upgrade_request(path, key=RFC_KEY, host="127.0.0.1", extra=""):
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode()


class raw_client:
    """A blocking socket with a deadline per call. Use as a context manager."""

    def __init__(self, port, timeout=5.0, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if _tls_context is not None:
            self.sock = _tls_context.wrap_socket(self.sock, server_hostname=host)
        self.timeout = timeout
        self.buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
        return False

    def send(self, data):
        self.sock.sendall(data)

    def send_byte_by_byte(self, data, pause=0.0):
        for i in range(len(data)):
            self.sock.sendall(data[i:i + 1])
            if pause:
                time.sleep(pause)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no data from the server in time; have {self.buffer[:64]!r}")
        self.sock.settimeout(left)
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError(f"EOF from the server; have {self.buffer[:64]!r}")
        self.buffer += chunk

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buffer) < n:
            self._fill(deadline)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_until(self, marker, timeout=None, limit=1 << 16):
        deadline = time.monotonic() + (timeout or self.timeout)
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise AssertionError(f"no {marker!r} in {self.buffer[:200]!r}")
            self._fill(deadline)
        end = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def read_http_response(self, timeout=None):
        """Returns (status code, head text, body bytes) of one HTTP response."""
        head = self.read_until(b"\r\n\r\n", timeout).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = 0
        for line in head.split("\r\n")[1:]:
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        return status, head, self.read_exact(length, timeout) if length else b""

    def upgrade(self, path, key=RFC_KEY, extra=""):
        """Sends the opening handshake and returns the exact 101 response."""
        self.send(upgrade_request(path, key=key, extra=extra))
        response = self.read_until(b"\r\n\r\n").decode("latin-1")
        if not response.startswith("HTTP/1.1 101 "):
            raise AssertionError(f"not upgraded: {response!r}")
        return response

    def read_frame_bytes(self, timeout=None):
        """The exact bytes of the next server frame (header and payload)."""
        head = self.read_exact(2, timeout)
        n = head[1] & 0x7F
        if head[1] & 0x80:
            raise AssertionError(f"the server masked a frame: {head!r}")
        ext = b""
        if n == 126:
            ext = self.read_exact(2, timeout)
            n = struct.unpack("!H", ext)[0]
        elif n == 127:
            ext = self.read_exact(8, timeout)
            n = struct.unpack("!Q", ext)[0]
        return head + ext + self.read_exact(n, timeout)

    def read_frame(self, timeout=None):
        """(fin, opcode, payload) of the next server frame."""
        data = self.read_frame_bytes(timeout)
        n = data[1] & 0x7F
        start = 2 + (2 if n == 126 else 8 if n == 127 else 0)
        return bool(data[0] & 0x80), data[0] & 0x0F, data[start:]

    def reads_eof(self, timeout=None):
        """True if the server closes the TCP connection (EOF or reset) before the deadline and
        sends nothing more; raises if it sends more bytes; False on timeout."""
        if self.buffer:
            raise AssertionError(f"unexpected bytes before EOF: {self.buffer[:64]!r}")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not chunk:
                return True
            raise AssertionError(f"unexpected bytes before EOF: {chunk[:64]!r}")

    def nothing_arrives(self, seconds):
        """True if no byte (and no EOF) arrives within `seconds`."""
        if self.buffer:
            return False
        self.sock.settimeout(seconds)
        try:
            chunk = self.sock.recv(1)
        except socket.timeout:
            return True
        self.buffer += chunk
        return False


def http_request(port, request, timeout=5.0):
    """Sends one raw HTTP request; returns (status, head, body)."""
    with raw_client(port, timeout=timeout) as c:
        c.send(request if isinstance(request, bytes) else request.encode())
        return c.read_http_response()


def stats(port, tag):
    status, _, body = http_request(port, f"GET /stats?tag={tag} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200, status
    return json.loads(body)


def wait_stats(port, tag, predicate, timeout=5.0):
    """Polls /stats until `predicate(stats)` holds; returns the last stats either way."""
    deadline = time.monotonic() + timeout
    while True:
        s = stats(port, tag)
        if predicate(s) or time.monotonic() > deadline:
            return s
        time.sleep(0.02)


_tag_counter = [0]


def new_tag(prefix="t"):
    _tag_counter[0] += 1
    return f"{prefix}{os.getpid()}x{_tag_counter[0]}"

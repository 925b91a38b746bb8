"""Responses built with restinio::sendfile (servers/http_sendfile_server.cpp), checked byte for
byte with their Content-Length, over raw sockets and with curl: whole files, parts chosen with
offset_and_size(), files bigger than the chunk size and chunks of odd sizes, a file between two
memory buffers, pipelined file responses, a file that shrinks while it is sent (the connection
is closed, not left hanging), and clients that go away mid-file; all of it over https:// too. After each case the server
holds no descriptor of a file or of a finished connection (/proc/<pid>/fd) and still serves."""

import os
import random
import socket
import tempfile
import time
import unittest

from e2e_support import binary, server_process
from http_support import connect, curl, parse_response, read_until_close
from tls_support import client_context, server_args, test_certificates

MIB = 1024 * 1024
HELLO = b"Hello, World!"


def file_bytes(size, seed):
    return random.Random(seed).randbytes(size)


def request(path, close=False):
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + ("Connection: close\r\n" if close else "") + "\r\n").encode()


class response_reader:
    """Reads the responses of one connection in turn (pipelined ones may share a read)."""

    def __init__(self, sock):
        self.sock = sock
        self.data = bytearray()

    def next(self, timeout=10.0):
        """The next complete response; its body must have a Content-Length."""
        deadline = time.monotonic() + timeout
        total = None
        while total is None or len(self.data) < total:
            if total is None:
                end = self.data.find(b"\r\n\r\n")
                if end >= 0:
                    head = bytes(self.data[:end]).decode("latin-1").lower().split("\r\n")
                    lengths = [line.split(":", 1)[1] for line in head if line.startswith("content-length:")]
                    if len(lengths) != 1:
                        raise AssertionError(f"not one Content-Length: {head[:10]}")
                    total = end + 4 + int(lengths[0])
                    continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no complete response after {timeout} s ({len(self.data)} bytes)")
            self.sock.settimeout(left)
            chunk = self.sock.recv(MIB)
            if not chunk:
                raise AssertionError(f"closed after {len(self.data)} bytes of a response")
            self.data += chunk
        r, end = parse_response(bytes(self.data[:total]))
        del self.data[:total]
        return r


def read_response(sock, timeout=10.0):
    """The one response `sock` gets next; nothing may follow it yet."""
    reader = response_reader(sock)
    r = reader.next(timeout)
    if reader.data:
        raise AssertionError(f"{len(reader.data)} bytes after the response")
    return r


def small_receive_buffer_connection(port):
    """A connection whose receive window stays small, so the server cannot run far ahead."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def read_head_and_some_body(sock, body_bytes):
    """Reads the response head and at least `body_bytes` of the body: (head, body so far)."""
    data = b""
    while True:
        end = data.find(b"\r\n\r\n")
        if end >= 0 and len(data) - end - 4 >= body_bytes:
            return data[:end + 4], data[end + 4:]
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed early: {data[:200]!r}")
        data += chunk


def held_descriptors(pid, test_dir):
    """(all descriptors, sockets, files of `test_dir`) that process `pid` holds."""
    fd_dir = f"/proc/{pid}/fd"
    targets = []
    for fd in os.listdir(fd_dir):
        try:
            targets.append(os.readlink(os.path.join(fd_dir, fd)))
        except FileNotFoundError:
            pass        # closed while we looked
    sockets = sum(t.startswith("socket:") for t in targets)
    files = sum(t.startswith(test_dir) for t in targets)
    return len(targets), sockets, files


class sendfile_server:
    """Mixin: one server per class over a directory of test files; with `tls`, over https://."""
    switches = ()
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="restinio-sendfile-")
        cls.files = {
            "empty.bin": b"",
            "small.bin": file_bytes(1000, 1),
            "odd.bin": file_bytes(100_003, 2),
            "big.bin": file_bytes(3 * MIB + 7, 3),      # more than the 1 MiB default chunk
        }
        for name, data in cls.files.items():
            with open(os.path.join(cls.dir.name, name), "wb") as f:
                f.write(data)
        cls.server = server_process([binary("E2E_SERVER_HTTP_SENDFILE_SERVER"), "--port", "0",
                                     "--dir", cls.dir.name, "--max-pipelined", "8",
                                     # a whole file must leave within the write time limit
                                     # (see sendfile_time_limits_test), even in small chunks
                                     # under a sanitizer
                                     "--write-timeout-ms", "60000", *cls.switches,
                                     *(server_args() if cls.tls else ())]).__enter__()
        cls.server.proc.stdout.close()
        cls.port = cls.server.port
        cls.idle_fd_count = cls.wait_idle()

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            if code != 0:       # a sanitizer's report at exit, for one
                raise AssertionError(f"the server exited with {code}")
        finally:
            cls.dir.cleanup()

    @classmethod
    def wait_idle(cls, timeout=5.0):
        """Waits until the server holds only its listening socket and no test file; returns its
        descriptor count then."""
        deadline = time.monotonic() + timeout
        while True:
            total, sockets, files = held_descriptors(cls.server.proc.pid, cls.dir.name)
            if (sockets, files) == (1, 0):
                return total
            if time.monotonic() > deadline:
                raise AssertionError(f"server not idle: {sockets} sockets, {files} test files open")
            time.sleep(0.01)

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server died")
        self.assertEqual(self.wait_idle(), self.idle_fd_count, "descriptors leaked")
        with self.open() as s:
            s.sendall(request("/hello"))
            r = read_response(s)
        self.assertEqual((r.status, r.body), (200, HELLO))

    def make_file(self, name, data):
        """A file for this test only, removed after it."""
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as f:
            f.write(data)
        self.addCleanup(os.unlink, path)
        return path

    def open(self, small_window=False):
        """A connection to the server (TLS-wrapped for https://)."""
        s = small_receive_buffer_connection(self.port) if small_window else connect(self.port)
        return client_context().wrap_socket(s, server_hostname="127.0.0.1") if self.tls else s

    def curl(self, *args, **kwargs):
        return curl(*(("--cacert", test_certificates()["ca"]) if self.tls else ()), *args, **kwargs)

    def url(self, path):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def check_file_response(self, r, expected_body):
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Length"), str(len(expected_body)))
        self.assertEqual(len(r.body), len(expected_body))
        self.assertTrue(r.body == expected_body, "the body differs from the file")

    # ---- whole files ----

    def test_whole_file_exact_bytes(self):
        data = self.files["small.bin"]
        with self.open() as s:
            s.sendall(request("/files/small.bin"))
            r = read_response(s)
            self.assertEqual(r.raw, b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1000\r\n"
                                    b"Content-Type: application/octet-stream\r\n\r\n" + data)
            s.sendall(request("/hello"))          # the connection goes on after a file
            self.assertEqual(read_response(s).body, HELLO)

    def test_every_file_whole_on_one_connection(self):
        with self.open() as s:
            for name, data in self.files.items():
                with self.subTest(name=name):
                    s.sendall(request(f"/files/{name}"))
                    self.check_file_response(read_response(s), data)

    def check_with_curl(self, path, expected_body):
        """curl -i prints the response as it came: one response, exactly the expected body."""
        p = self.curl("-i", self.url(path))
        self.assertEqual(p.returncode, 0, p.stderr)
        r, end = parse_response(p.stdout)
        self.assertEqual(end, len(p.stdout))
        self.check_file_response(r, expected_body)

    def test_whole_files_with_curl(self):
        for name, data in self.files.items():
            with self.subTest(name=name):
                self.check_with_curl(f"/files/{name}", data)

    # ---- files bigger than a chunk, chunks of odd sizes ----

    def test_chunk_sizes(self):
        cases = [("big.bin", 1 * MIB), ("big.bin", 4096), ("big.bin", 1 * MIB - 1), ("big.bin", 3 * MIB + 7),
                 ("big.bin", 64 * MIB), ("odd.bin", 7), ("small.bin", 1), ("small.bin", 999), ("empty.bin", 10),
                 ("small.bin", 0), ("big.bin", 0)]   # 0: the default chunk size
        with self.open() as s:
            for name, chunk in cases:
                with self.subTest(name=name, chunk=chunk):
                    s.sendall(request(f"/files/{name}?chunk={chunk}"))
                    self.check_file_response(read_response(s, timeout=30), self.files[name])

    def test_big_file_with_curl_in_small_chunks(self):
        self.check_with_curl("/files/big.bin?chunk=65536", self.files["big.bin"])

    # ---- offset_and_size() ----

    def test_offset_and_size(self):
        # (file, offset, size or None, chunk): the part is file[offset:offset + size], clipped.
        cases = [
            ("small.bin", 0, None, None), ("small.bin", 100, 200, None), ("small.bin", 0, 1000, None),
            ("small.bin", 999, None, None), ("small.bin", 1000, None, None), ("small.bin", 0, 0, None),
            ("small.bin", 500, 10**12, None), ("small.bin", 1000, 5, None), ("odd.bin", 3, 50_000, 7),
            ("big.bin", MIB - 1, MIB + 3, None), ("big.bin", 4095, 2 * MIB, 4096),
            ("big.bin", 3 * MIB, None, 3), ("empty.bin", 0, None, None), ("empty.bin", 0, 10, None),
        ]
        with self.open() as s:
            for name, offset, size, chunk in cases:
                with self.subTest(name=name, offset=offset, size=size, chunk=chunk):
                    query = f"offset={offset}" + (f"&size={size}" if size is not None else "") \
                        + (f"&chunk={chunk}" if chunk is not None else "")
                    s.sendall(request(f"/files/{name}?{query}"))
                    data = self.files[name]
                    end = len(data) if size is None else offset + size
                    self.check_file_response(read_response(s, timeout=30), data[offset:end])

    def test_offset_and_size_with_curl(self):
        self.check_with_curl("/files/big.bin?offset=12345&size=1048576&chunk=1000",
                             self.files["big.bin"][12345:12345 + MIB])

    def test_offset_past_the_end_answers_500(self):
        # offset_and_size() throws in the handler: 500, and the connection goes on.
        self.assert_500_then_served("/files/small.bin?offset=1001")

    def test_missing_file_answers_500(self):
        self.assert_500_then_served("/files/no-such-file.bin")

    def assert_500_then_served(self, path):
        with self.open() as s:
            s.sendall(request(path) + request("/hello", close=True))
            data, closed, _ = read_until_close(s)
        self.assertTrue(closed)
        self.assertTrue(data.startswith(b"HTTP/1.1 500 Internal Server Error\r\nConnection: keep-alive\r\n"
                                        b"Content-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n"), data)
        self.assertTrue(data.endswith(b"Hello, World!"), data)

    # ---- files among other buffers and responses ----

    def test_file_between_memory_buffers(self):
        for name, chunk in [("small.bin", MIB), ("odd.bin", 4096), ("empty.bin", MIB), ("big.bin", 1_000_000)]:
            with self.subTest(name=name, chunk=chunk):
                with self.open() as s:
                    s.sendall(request(f"/framed/{name}?chunk={chunk}"))
                    self.check_file_response(read_response(s, timeout=30), b"<<" + self.files[name] + b">>")

    def test_pipelined_file_responses(self):
        paths = ["/files/small.bin", "/hello", "/files/odd.bin?chunk=4096", "/files/empty.bin",
                 "/framed/small.bin", "/files/big.bin?offset=10&size=100", "/hello"]
        expected = [self.files["small.bin"], HELLO, self.files["odd.bin"], b"",
                    b"<<" + self.files["small.bin"] + b">>", self.files["big.bin"][10:110], HELLO]
        with self.open() as s:
            s.sendall(b"".join(request(p) for p in paths))
            reader = response_reader(s)
            for path, body in zip(paths, expected):
                with self.subTest(path=path):
                    self.check_file_response(reader.next(), body)
            self.assertEqual(reader.data, b"")

    def test_connection_close_after_a_file(self):
        with self.open() as s:
            s.sendall(request("/files/odd.bin?chunk=10000", close=True))
            data, closed, _ = read_until_close(s, timeout=10)
        self.assertTrue(closed)
        r, end = parse_response(data)
        self.assertEqual(end, len(data))
        self.assertEqual(r.header("Connection"), "close")
        self.check_file_response(r, self.files["odd.bin"])

    # ---- a file that shrinks, clients that go away ----

    def test_file_that_shrinks_while_sent_closes_the_connection(self):
        # The client's small window holds the server back (at most its send buffer, 4 MiB, and
        # one chunk ahead) while the file is cut from 16 MiB to 8 MiB.
        data = file_bytes(16 * MIB, 4)
        path = self.make_file("shrinking.bin", data)
        with self.open(small_window=True) as s:
            s.sendall(request("/files/shrinking.bin?chunk=65536"))
            head, body = read_head_and_some_body(s, 1)
            self.assertIn(b"\r\nContent-Length: %d\r\n" % len(data), head)
            os.truncate(path, 8 * MIB)
            rest, closed, _ = read_until_close(s, timeout=10, limit=32 * MIB)
        self.assertTrue(closed, "the connection was left open after the file shrank")
        body += rest
        self.assertEqual(len(body), 8 * MIB)
        self.assertTrue(body == data[:8 * MIB], "the bytes sent differ from the file's")

    def test_file_that_grows_while_sent_sends_what_was_promised(self):
        # Content-Length was taken when the file was opened: bytes appended later are not sent,
        # and the connection goes on with the next request.
        data = file_bytes(16 * MIB, 8)
        path = self.make_file("growing.bin", data)
        with self.open(small_window=True) as s:
            s.sendall(request("/files/growing.bin?chunk=65536"))
            head, body = read_head_and_some_body(s, 1)
            with open(path, "ab") as f:
                f.write(b"appended" * 1000)
            reader = response_reader(s)
            reader.data = bytearray(head + body)
            self.check_file_response(reader.next(timeout=30), data)
            s.sendall(request("/hello"))
            self.assertEqual(reader.next().body, HELLO)

    def test_client_gone_mid_file(self):
        big = file_bytes(16 * MIB, 5)
        self.make_file("gone.bin", big)
        for reset in (False, True):
            for chunk in (65536, MIB):
                with self.subTest(reset=reset, chunk=chunk):
                    s = self.open(small_window=True)
                    s.sendall(request(f"/files/gone.bin?chunk={chunk}"))
                    _, body = read_head_and_some_body(s, MIB)
                    self.assertTrue(body == big[:len(body)])
                    if reset:       # an RST rather than a FIN
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
                    self.assertEqual(self.wait_idle(), self.idle_fd_count, "descriptors leaked")
        with self.open() as s:        # the same file, whole, afterwards
            s.sendall(request("/files/gone.bin"))
            self.check_file_response(read_response(s, timeout=30), big)

    def test_curl_gone_mid_file(self):
        # curl reads at 1 MiB/s and gives up after 1 s: it goes away in the middle of 16 MiB.
        self.make_file("curl-gone.bin", file_bytes(16 * MIB, 6))
        p = self.curl("--limit-rate", "1M", "-o", "/dev/null", self.url("/files/curl-gone.bin"), timeout=1)
        self.assertEqual(p.returncode, 28, p.stderr)        # CURLE_OPERATION_TIMEDOUT


class sendfile_time_limits_test(unittest.TestCase):
    """How long a file may take to leave: write_http_response_timelimit bounds each write that
    waits for the socket (not the whole response, so a file that moves steadily is never cut
    off), and sendfile_t::timelimit() bounds the whole file. Both failed before (the response
    was cut after 11,386,185 bytes; the stalled connection stayed open)."""

    FILE_SIZE = 16 * MIB

    def server(self, write_timeout_ms):
        self.dir = tempfile.TemporaryDirectory(prefix="restinio-sendfile-")
        self.addCleanup(self.dir.cleanup)
        self.data = file_bytes(self.FILE_SIZE, 7)
        with open(os.path.join(self.dir.name, "f.bin"), "wb") as f:
            f.write(self.data)
        server = server_process([binary("E2E_SERVER_HTTP_SENDFILE_SERVER"), "--port", "0",
                                 "--dir", self.dir.name, "--write-timeout-ms", str(write_timeout_ms)])
        server.__enter__()
        self.addCleanup(server.__exit__, None, None, None)
        server.proc.stdout.close()
        return server

    def test_a_steady_slow_reader_gets_the_whole_file(self):
        # 64 KiB every 10 ms: some 2.5 s for the file, each 64 KiB chunk written long before the
        # 1 s write limit. (The client's small window keeps the server's writes in step.)
        server = self.server(write_timeout_ms=1000)
        with small_receive_buffer_connection(server.port) as s:
            s.sendall(request("/files/f.bin?chunk=65536"))
            data = bytearray()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if len(data) >= self.FILE_SIZE and parse_response(bytes(data))[0] is not None:
                    break
                time.sleep(0.01)        # the pace of a slow client, not a synchronisation
        r, end = parse_response(bytes(data))
        self.assertIsNotNone(r, f"the response was cut after {len(data)} bytes")
        self.assertEqual(r.body, self.data)

    def test_sendfile_timelimit_ends_a_stalled_transfer(self):
        # The client stops reading; the file's own time limit (300 ms) must end the connection
        # long before write_http_response_timelimit (60 s) would.
        server = self.server(write_timeout_ms=60000)

        def server_sockets():
            return held_descriptors(server.proc.pid, self.dir.name)[1]

        with small_receive_buffer_connection(server.port) as s:
            s.sendall(request("/files/f.bin?chunk=65536&timelimit=300"))
            read_head_and_some_body(s, 1)
            deadline = time.monotonic() + 5
            while server_sockets() > 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(server_sockets(), 1, "the stalled connection is still open after 5 s")


class sendfile_on_one_thread_test(sendfile_server, unittest.TestCase):
    pass


class sendfile_on_a_pool_test(sendfile_server, unittest.TestCase):
    switches = ("--threads", "2")


# Over TLS the file's chunks are read into user space and go through OpenSSL.
class sendfile_over_tls_test(sendfile_server, unittest.TestCase):
    tls = True
    switches = ("--threads", "2")


if __name__ == "__main__":
    unittest.main()

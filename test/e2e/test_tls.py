"""wss:// and https:// end to end: the websocket_echo_server sample and the HTTP test server
with --tls-cert/--tls-key, against clients nobody here wrote (Python's ssl and websockets,
curl, openssl s_client) that trust only a test CA made at test time (tls_support.py).

Bad input on the TLS port (garbage, plain HTTP, a ClientHello cut short, a client that says
nothing) must end in the connection closed and one log line, with the server serving on."""

import asyncio
import os
import select
import socket
import ssl
import subprocess
import time
import unittest

import websockets

from e2e_support import binary, server_process
from tls_support import client_context, server_args, test_certificates

ECHO_ARGS = ["--port", "0", "--max-message-size", str(32 << 20)]
CLIENT_OPTIONS = dict(max_size=None, open_timeout=10, close_timeout=10, ping_interval=None, compression=None)


def run(coroutine, timeout=60):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def client_hello():
    """The first flight of a real TLS client (a ClientHello), made without a socket."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    connection = client_context().wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        connection.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def closed_by_server(sock, timeout=5.0):
    """True if the server ends the connection (EOF or reset) within `timeout`, whatever it
    sends before (an alert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(4096):
                return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
    return False


async def echo_round_trip(uri, payloads):
    async with websockets.connect(uri, ssl=client_context(), **CLIENT_OPTIONS) as ws:
        for payload in payloads:
            await ws.send(payload)
            assert await ws.recv() == payload, f"echo of {len(payload)} bytes differs"


class s_client_session:
    """An interactive `openssl s_client` (its commands on: a chunk of input that starts with
    K, k or R is a key update or a renegotiation, not data), its stdout and stderr as one."""

    def __init__(self, port, *flags):
        self.process = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", test_certificates()["ca"],
             "-verify_return_error", *flags],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = b""

    def send(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def read_more(self, deadline):
        """Adds what s_client prints by `deadline` to the output; False at its end or the deadline."""
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
            return False
        chunk = os.read(self.process.stdout.fileno(), 65536)
        self.output += chunk
        return bool(chunk)

    def wait_for(self, text, count=1, timeout=10.0):
        """True once `text` has been printed `count` times."""
        deadline = time.monotonic() + timeout
        while self.output.count(text) < count:
            if not self.read_more(deadline):
                return False
        return True

    def wait_for_exit(self, timeout=10.0):
        """The exit status, once the output has ended (None if it has not by `timeout`)."""
        deadline = time.monotonic() + timeout
        while self.read_more(deadline):
            pass
        try:
            return self.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self.process.stdin.close()
        self.process.stdout.close()


class wss_echo_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_process([binary("WEBSOCKET_ECHO_SERVER"), *ECHO_ARGS, "--verbose",
                                     "--tls-handshake-timeout", "0.5", *server_args()]).__enter__()
        cls.uri = f"wss://127.0.0.1:{cls.server.port}/"

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def assert_still_serves(self):
        run(echo_round_trip(self.uri, [b"still here"]))

    def test_echo_of_every_size_from_0_to_16_mib(self):
        sizes = [0, 1, 125, 126, 16383, 16384, 16385, 65535, 65536, 1 << 20, 16 << 20]
        run(echo_round_trip(self.uri, [os.urandom(n) for n in sizes] + ["text ✓", ""]), timeout=120)

    def test_tls_1_2_and_1_3(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version):
                async def go():
                    async with websockets.connect(self.uri, ssl=client_context(version), **CLIENT_OPTIONS) as ws:
                        self.assertEqual(ws.transport.get_extra_info("ssl_object").version(),
                                         {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version])
                        await ws.send("hi")
                        self.assertEqual(await ws.recv(), "hi")
                run(go())

    def test_fragmented_message_is_echoed_whole(self):
        async def go():
            async with websockets.connect(self.uri, ssl=client_context(), **CLIENT_OPTIONS) as ws:
                await ws.send([b"frag", b"ment", b"ed" * 10000])
                self.assertEqual(await ws.recv(), b"fragment" + b"ed" * 10000)
        run(go())

    def test_close_codes_come_back(self):
        for code, reason in ((1000, ""), (1001, "away"), (4000, "app code"), (4999, "x" * 100)):
            with self.subTest(code=code):
                async def go():
                    async with websockets.connect(self.uri, ssl=client_context(), **CLIENT_OPTIONS) as ws:
                        await ws.close(code, reason)
                        self.assertEqual((ws.close_code, ws.close_reason), (code, reason))
                run(go())

    def test_openssl_s_client_handshakes_with_tls_1_2_and_1_3(self):
        for flag, version in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            with self.subTest(version=version):
                out = subprocess.run(
                    ["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}", flag,
                     "-CAfile", test_certificates()["ca"], "-verify_return_error", "-quiet"],
                    input=b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    capture_output=True, timeout=20)
                self.assertIn(b"HTTP/1.1 400 Bad Request", out.stdout, out.stderr)
                self.assertIn(b"WebSocket echo server", out.stdout)

    def assert_refused_with_a_log_line(self, wire, shut_write=True, expect="TLS handshake failed"):
        since = len(self.server.output)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            if wire:
                sock.sendall(wire)
            if shut_write:
                sock.shutdown(socket.SHUT_WR)
            self.assertTrue(closed_by_server(sock), "the server did not close the connection")
        self.server.wait_for_output(expect, timeout=5, since=since)
        self.assertEqual(sum(expect in line for line in self.server.output[since:]), 1)
        self.assert_still_serves()

    def test_garbage_is_closed_with_a_log_line(self):
        self.assert_refused_with_a_log_line(os.urandom(16) + b"\x00" * 600, shut_write=False)

    def test_plain_http_is_closed_with_a_log_line(self):
        self.assert_refused_with_a_log_line(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", shut_write=False)

    def test_truncated_client_hello_is_closed_with_a_log_line(self):
        hello = client_hello()
        self.assertGreater(len(hello), 100)
        for cut in (1, 5, len(hello) // 2, len(hello) - 1):
            with self.subTest(cut=cut):
                self.assert_refused_with_a_log_line(hello[:cut])

    def test_silent_client_is_dropped_at_the_handshake_time_limit(self):
        start = time.monotonic()
        self.assert_refused_with_a_log_line(b"", shut_write=False, expect="TLS handshake timed out")
        self.assertGreater(time.monotonic() - start, 0.4)

    def test_slow_client_hello_is_dropped_at_the_handshake_time_limit(self):
        hello = client_hello()
        since = len(self.server.output)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(hello[:10])
            self.assertTrue(closed_by_server(sock, timeout=5))
        self.server.wait_for_output("TLS handshake timed out", timeout=5, since=since)
        self.assert_still_serves()


class wss_thread_pool_test(unittest.TestCase):
    def test_100_concurrent_wss_clients_on_4_threads(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), *ECHO_ARGS, "--threads", "4",
                             *server_args()]) as server:
            uri = f"wss://127.0.0.1:{server.port}/"

            async def client(i):
                await echo_round_trip(uri, [f"client {i} message {j}" for j in range(20)]
                                      + [os.urandom(i * 997) for _ in range(3)])

            async def all_clients():
                await asyncio.gather(*(client(i) for i in range(100)))
            run(all_clients(), timeout=180)


class https_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_process([binary("E2E_SERVER_HTTP_ROUTER_SERVER"), "--port", "0",
                                     "--max-pipelined", "4", *server_args()]).__enter__()
        cls.base = f"https://127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def curl(self, *args):
        out = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", test_certificates()["ca"], *args],
                             capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_get_and_keep_alive(self):
        out = self.curl("-v", f"{self.base}/hello", f"{self.base}/hello", f"{self.base}/big?n=100000")
        self.assertTrue(out.stdout.startswith(b"Hello, World!Hello, World!"))
        self.assertEqual(len(out.stdout), 2 * len(b"Hello, World!") + 100000)
        self.assertIn(b"Re-using existing connection", out.stderr)

    def test_chunked_response(self):
        out = self.curl("-v", f"{self.base}/chunked")
        self.assertIn(b"transfer-encoding: chunked", out.stderr.lower())
        self.assertGreater(len(out.stdout), 0)

    def test_chunked_request_body_is_echoed(self):
        out = self.curl("-H", "Transfer-Encoding: chunked", "--data-binary", "x" * 50000, f"{self.base}/echo")
        self.assertEqual(out.stdout, b"x" * 50000)

    def test_key_updates_from_the_client_keep_the_connection_serving(self):
        request = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        with s_client_session(self.server.port, "-tls1_3") as client:
            client.send(request)
            self.assertTrue(client.wait_for(b"Hello, World!"), client.output)
            # K asks the server to update its keys too (it answers before its next record),
            # k does not.
            for n, command in enumerate((b"K\n", b"k\n", b"K\n"), start=2):
                client.send(command)
                self.assertTrue(client.wait_for(b"KEYUPDATE", count=n - 1), client.output)
                client.send(request)
                self.assertTrue(client.wait_for(b"Hello, World!", count=n), client.output)
            self.assertIn(b"X-Request-Id: 3", client.output)
        self.curl(f"{self.base}/hello")

    def test_renegotiation_is_refused(self):
        with s_client_session(self.server.port, "-tls1_2") as client:
            client.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(client.wait_for(b"Hello, World!"), client.output)
            client.send(b"R\n")
            self.assertTrue(client.wait_for(b"RENEGOTIATING"), client.output)
            # The server answers the new ClientHello with a no_renegotiation alert, which ends
            # the client's renegotiation and its connection.
            self.assertNotIn(client.wait_for_exit(), (0, None))
            self.assertIn(b":no renegotiation:", client.output)
        self.assertEqual(self.curl(f"{self.base}/hello").stdout, b"Hello, World!")

    def test_pipelined_requests_are_answered_in_order(self):
        requests = b"".join(f"GET /chat/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(4))
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with client_context().wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                sock.sendall(requests + b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        bodies = [b"chat id=%d" % i for i in range(4)] + [b"bye"]
        positions = [data.find(body) for body in bodies]
        self.assertNotIn(-1, positions, data)
        self.assertEqual(positions, sorted(positions))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The seed's echo sample (sample/websocket_echo) as it is: fixed address localhost:8080, path
/chat, every frame echoed back unchanged (ping as ping), RESTinio's logger on stdout. These tests
speak raw bytes and compare them exactly (shared/spec/seed-sample-api.md section 3). If port
8080 is taken they are skipped, saying so, and ctest counts the file as skipped. Also: the
sample's source is the seed text verbatim."""

import hashlib
import os
import signal
import socket
import struct
import unittest

from e2e_support import binary, server_failure, server_process
from ws_raw import (CLOSE, CONT, PING, TEXT, RFC_ACCEPT, close_frame, frame, raw_client)

PORT = 8080
EXACT_101 = ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Accept: {RFC_ACCEPT}\r\nUpgrade: websocket\r\n\r\n")
EXACT_501 = b"HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

# SHA-256 of the seed's code, shared/seeds/000_02d89f70d7e9dc9e.txt from its
# "#include <restinio/all.hpp>" to the end (2020 bytes): the sample must stay that text
# byte for byte, and the repository does not hold the seed itself.
SEED_CODE_SHA256 = "a93d981b764f068d99d8c8da0059b30efac5c27e0feaf68b2f1140ced3f4b658"
SAMPLE_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "..", "sample", "websocket_echo", "main.cpp")


def port_in_use(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class seed_source_test(unittest.TestCase):
    def test_sample_is_the_seed_verbatim(self):
        with open(SAMPLE_SOURCE, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), SEED_CODE_SHA256)


class seed_sample_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if port_in_use(PORT):
            raise unittest.SkipTest(f"port {PORT} is taken on 127.0.0.1; the seed sample cannot listen")
        # The port line is the logger's: only this sample, once bound, prints it.
        cls.server = server_process([binary("WEBSOCKET_ECHO")], port_pattern=r"server started on [^ ]*:(8080)\b")
        try:
            cls.server.__enter__()
        except server_failure as failure:
            if "Address already in use" in failure.output:
                raise unittest.SkipTest(f"port {PORT} was taken while the seed sample started") from None
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def client(self):
        c = raw_client(PORT)
        self.assertEqual(c.upgrade("/chat"), EXACT_101)
        return c

    def test_exact_101_for_the_rfc_key(self):
        with self.client():
            pass

    def test_text_echo(self):
        with self.client() as c:
            c.send(frame(TEXT, "hello"))
            self.assertEqual(c.read_frame_bytes(), bytes([0x81, 0x05]) + b"hello")

    def test_ping_is_echoed_as_ping(self):
        with self.client() as c:
            c.send(frame(PING, "pp"))
            self.assertEqual(c.read_frame_bytes(), bytes([0x89, 0x02, 0x70, 0x70]))

    def test_fragments_are_echoed_unjoined(self):
        with self.client() as c:
            c.send(frame(TEXT, "he", fin=False) + frame(CONT, "llo"))
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), b"\x80\x03llo")

    def test_lengths(self):
        with self.client() as c:
            c.send(frame(TEXT, b"x" * 200))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x7e\x00\xc8" + b"x" * 200)
            c.send(frame(0x2, b"\x00" * 70000))
            self.assertEqual(c.read_frame_bytes(), b"\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70" + b"\x00" * 70000)

    def test_client_close_is_echoed_then_eof(self):
        with self.client() as c:
            c.send(frame(CLOSE, struct.pack("!H", 1000) + b"r"))
            self.assertEqual(c.read_frame_bytes(), bytes([0x88, 0x03, 0x03, 0xE8, 0x72]))
            self.assertTrue(c.reads_eof(3))

    def test_unmasked_frame_gets_1002_then_eof(self):
        with self.client() as c:
            c.send(b"\x81\x05hello")
            self.assertEqual(c.read_frame_bytes(), close_frame(1002))
            self.assertTrue(c.reads_eof(3))

    def test_invalid_utf8_gets_1007(self):
        with self.client() as c:
            c.send(frame(TEXT, b"\xff\xfe"))
            self.assertEqual(c.read_frame_bytes(), close_frame(1007))
            c.send(frame(CLOSE, struct.pack("!H", 1007)))
            self.assertTrue(c.reads_eof(3))

    def test_get_chat_without_upgrade_is_exactly_501(self):
        for request in [b"GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n",
                        b"GET /other HTTP/1.1\r\nHost: localhost\r\n\r\n"]:
            with self.subTest(request=request), raw_client(PORT) as c:
                c.send(request)
                self.assertEqual(c.read_exact(len(EXACT_501)), EXACT_501)
                self.assertTrue(c.reads_eof(3))

    def test_zz_sigint_closes_open_clients_with_1001_and_exits_0(self):
        # named to run last: it stops the server. Unlike RESTinio (whose cleanup_func's
        # registry.clear() sent 1000), the library says the server is going away (RFC 6455 7.4.1)
        # before cleanup_func runs.
        with self.client() as c:
            c.send(frame(TEXT, "still open"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x0astill open")
            self.server.proc.send_signal(signal.SIGINT)
            self.assertEqual(c.read_frame_bytes(), bytes([0x88, 0x02, 0x03, 0xE9]))
            self.assertTrue(c.reads_eof(5))
        self.assertEqual(self.server.wait(), 0)
        self.server.wait_for_output(r"INFO: server closed on 127\.0\.0\.1:8080")


if __name__ == "__main__":
    unittest.main(verbosity=2)

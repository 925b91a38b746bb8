"""The opening handshake against the websocket_echo_server sample, over raw sockets: every MUST
of RFC 6455 4.2.1 and 4.2.2, and the single-valued fields of 11.3, gets its exact HTTP status
(400; 426 with Sec-WebSocket-Version: 13 for a version other than 13; what the HTTP layer
answers where it refuses first), the refused connection is closed, and the server goes on
upgrading and echoing. Every request is sent whole and one byte per send(). Acceptable variants
(lists, several lines of a list field, repeatable fields) get the exact 101."""

import select
import unittest

from e2e_support import binary, server_process
from ws_raw import CLOSE, RFC_ACCEPT, RFC_KEY, TEXT, frame, raw_client

HOST = "Host: 127.0.0.1\r\n"
UPGRADE = "Upgrade: websocket\r\n"
CONNECTION = "Connection: Upgrade\r\n"
KEY = f"Sec-WebSocket-Key: {RFC_KEY}\r\n"
VERSION = "Sec-WebSocket-Version: 13\r\n"
ALL = HOST + UPGRADE + CONNECTION + KEY + VERSION

EXACT_101 = ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Accept: {RFC_ACCEPT}\r\nUpgrade: websocket\r\n\r\n")


def get(fields, body="", request_line="GET /chat HTTP/1.1"):
    return f"{request_line}\r\n{fields}\r\n{body}".encode()


ACCEPTED = [
    ("RFC 6455 1.2 example", get(ALL + "Origin: http://example.com\r\n"
                                       "Sec-WebSocket-Protocol: chat, superchat\r\n")),
    ("fields in another order", get(VERSION + KEY + CONNECTION + UPGRADE + HOST)),
    ("absolute-form target", get(ALL, request_line="GET http://127.0.0.1/chat HTTP/1.1")),
    ("Upgrade token in another case", get(HOST + "Upgrade: WebSocket\r\n" + CONNECTION + KEY + VERSION)),
    ("Upgrade as a list", get(HOST + "Upgrade: h2c, websocket\r\n" + CONNECTION + KEY + VERSION)),
    ("Upgrade in two lines", get(HOST + "Upgrade: h2c\r\nUpgrade: websocket\r\n" + CONNECTION + KEY + VERSION)),
    ("Connection as a list", get(HOST + UPGRADE + "Connection: keep-alive, upgrade\r\n" + KEY + VERSION)),
    ("Connection in two lines", get(HOST + UPGRADE + "Connection: keep-alive\r\nConnection: Upgrade\r\n"
                                    + KEY + VERSION)),
    ("Sec-WebSocket-Protocol twice", get(ALL + "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n")),
    ("Sec-WebSocket-Extensions twice", get(ALL + "Sec-WebSocket-Extensions: x\r\nSec-WebSocket-Extensions: y\r\n")),
    ("Content-Length: 0", get(ALL + "Content-Length: 0\r\n")),
    # A body ends where HTTP's framing says; the frames follow it (RFC 7230 6.7).
    ("a body", get(ALL + "Content-Length: 5\r\n", body="hello")),
    ("a chunked body", get(ALL + "Transfer-Encoding: chunked\r\n", body="5\r\nhello\r\n0\r\n\r\n")),
]

REFUSED = [
    # 4.2.1 item 1: an HTTP/1.1 or higher GET (the HTTP layer refuses what it cannot parse)
    ("POST", get(ALL + "Content-Length: 0\r\n", request_line="POST /chat HTTP/1.1"), 400),
    ("PUT", get(ALL, request_line="PUT /chat HTTP/1.1"), 400),
    ("lowercase get", get(ALL, request_line="get /chat HTTP/1.1"), 400),
    ("HTTP/1.0", get(ALL, request_line="GET /chat HTTP/1.0"), 400),
    ("HTTP/2.0 in HTTP/1 syntax", get(ALL, request_line="GET /chat HTTP/2.0"), 505),
    # item 2: Host
    ("no Host", get(UPGRADE + CONNECTION + KEY + VERSION), 400),
    ("empty Host", get("Host: \r\n" + UPGRADE + CONNECTION + KEY + VERSION), 400),
    ("two Host fields", get(HOST + ALL), 400),
    ("two Host fields, other values", get("Host: example.com\r\n" + ALL), 400),
    # item 3: Upgrade lists websocket
    ("no Upgrade", get(HOST + CONNECTION + KEY + VERSION), 400),
    ("Upgrade: h2c", get(HOST + "Upgrade: h2c\r\n" + CONNECTION + KEY + VERSION), 400),
    ("Upgrade: websocket/13", get(HOST + "Upgrade: websocket/13\r\n" + CONNECTION + KEY + VERSION), 400),
    # item 4: Connection lists Upgrade
    ("no Connection", get(HOST + UPGRADE + KEY + VERSION), 400),
    ("Connection: keep-alive", get(HOST + UPGRADE + "Connection: keep-alive\r\n" + KEY + VERSION), 400),
    ("Connection: Upgradex", get(HOST + UPGRADE + "Connection: Upgradex\r\n" + KEY + VERSION), 400),
    # item 5 and 11.3.1: exactly one key, base64 of 16 bytes
    ("no key", get(HOST + UPGRADE + CONNECTION + VERSION), 400),
    ("key of 15 bytes", get(HOST + UPGRADE + CONNECTION + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n"
                            + VERSION), 400),
    ("key not base64", get(HOST + UPGRADE + CONNECTION + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!=\r\n"
                           + VERSION), 400),
    ("key twice, same value", get(ALL + KEY), 400),
    ("key twice, other values", get(ALL + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"), 400),
    # item 6, 11.3.5 and 4.4: exactly one version, 13
    ("version twice, both 13", get(ALL + VERSION), 400),
    ("version 13 and 8", get(ALL + "Sec-WebSocket-Version: 8\r\n"), 400),
    ("no version", get(HOST + UPGRADE + CONNECTION + KEY), 426),
    ("version 8", get(HOST + UPGRADE + CONNECTION + KEY + "Sec-WebSocket-Version: 8\r\n"), 426),
    ("version list 13, 8", get(HOST + UPGRADE + CONNECTION + KEY + "Sec-WebSocket-Version: 13, 8\r\n"), 426),
]


class handshake_rules_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_process([binary("WEBSOCKET_ECHO_SERVER"), "--address", "127.0.0.1",
                                     "--port", "0", "--threads", "1"]).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def send(self, client, request, byte_by_byte):
        if not byte_by_byte:
            return client.send(request)
        # The HTTP layer may refuse a request before its end ("get" is no method): stop sending
        # once the answer is there, so no byte meets a closed socket and resets the connection.
        for i in range(len(request)):
            if select.select([client.sock], [], [], 0)[0]:
                return
            client.send(request[i:i + 1])

    def assert_echoes_and_closes(self, client):
        client.send(frame(TEXT, "still here"))
        self.assertEqual(client.read_frame_bytes(), b"\x81\x0astill here")
        client.send(frame(CLOSE, b"\x03\xe8"))
        self.assertEqual(client.read_frame_bytes(), b"\x88\x02\x03\xe8")
        self.assertTrue(client.reads_eof(3), "no EOF after the closing handshake")

    def assert_still_serving(self):
        with raw_client(self.port) as c:
            self.assertEqual(c.upgrade("/chat"), EXACT_101)
            self.assert_echoes_and_closes(c)

    def test_acceptable_handshakes_get_the_exact_101(self):
        for byte_by_byte in (False, True):
            for name, request in ACCEPTED:
                with self.subTest(name, byte_by_byte=byte_by_byte):
                    with raw_client(self.port) as c:
                        self.send(c, request, byte_by_byte)
                        self.assertEqual(c.read_until(b"\r\n\r\n").decode("latin-1"), EXACT_101)
                        self.assert_echoes_and_closes(c)

    def test_refused_handshakes_get_their_status_then_the_server_goes_on(self):
        for byte_by_byte in (False, True):
            for name, request, expected in REFUSED:
                with self.subTest(name, byte_by_byte=byte_by_byte):
                    with raw_client(self.port) as c:
                        self.send(c, request, byte_by_byte)
                        status, head, _ = c.read_http_response()
                        self.assertEqual(status, expected, head)
                        if expected == 426:
                            self.assertIn("\r\nSec-WebSocket-Version: 13\r\n", head)
                        else:
                            self.assertNotIn("\r\nSec-WebSocket-Version:", head)
                        self.assertTrue(c.reads_eof(3), f"{name}: the refused connection stays open")
                    self.assert_still_serving()


if __name__ == "__main__":
    unittest.main()

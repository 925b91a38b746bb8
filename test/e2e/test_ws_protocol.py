"""Raw-socket protocol tests: malformed and edge-case frames against e2e_server_ws_scenarios.

For every bad input the server must send exactly one close frame with the right code
(RFC 6455 7.4.1: 1002 protocol error, 1007 invalid data, 1009 too big), then end the TCP
connection (EOF), tell its handler the same code (checked through GET /stats), and go on serving
the next connection. Valid edge cases must come back byte for byte. Some cases are also sent
one byte per send(), and the UTF-8 cases check that the close comes before the rest of the frame
is even sent (fail fast). Every read has a deadline.

ws_protocol_over_tls_test runs every case again over wss:// (TLS 1.3), where one send of the
client is one TLS record: the TLS transport must not change a byte of the outcomes."""

import os
import struct
import unittest

import ws_raw
from e2e_support import binary, server_process
from tls_support import client_context, server_args
from ws_raw import (BINARY, CLOSE, CONT, PING, PONG, TEXT, close_frame, frame, new_tag,
                    raw_client, server_frame, stats, wait_stats)

MAX_MESSAGE_SIZE = 65536


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class ws_protocol_test(unittest.TestCase):
    tls = False

    @classmethod
    def setUpClass(cls):
        ws_raw.use_tls(client_context() if cls.tls else None)
        cls.server = server_process([binary("E2E_SERVER_WS_SCENARIOS"), "--close-wait-ms", "1500",
                                     "--timer-ms", "100",
                                     "--max-message-size", str(MAX_MESSAGE_SIZE),
                                     *(server_args() if cls.tls else [])]).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        ws_raw.use_tls(None)

    # -- helpers --

    def send(self, client, wire, byte_by_byte):
        if byte_by_byte:
            client.send_byte_by_byte(wire)
        else:
            client.send(wire)

    def assert_still_echoes(self):
        """A fresh connection is upgraded, echoes, and completes a closing handshake."""
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag("still"))
            c.send(frame(TEXT, "still here"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x0astill here")
            c.send(frame(CLOSE, close_payload(1000)))
            self.assertEqual(c.read_frame_bytes(), b"\x88\x02\x03\xe8")
            self.assertTrue(c.reads_eof(3), "no EOF after the closing handshake")

    def assert_fails(self, wire, code, echoes=(), byte_by_byte=False, path="/echo"):
        """Sends `wire` after the handshake; expects the `echoes` (exact server frames), then
        exactly close(code), then EOF; the handler must have seen `code` too."""
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"{path}?tag={tag}")
            self.send(c, wire, byte_by_byte)
            for expected in echoes:
                self.assertEqual(c.read_frame_bytes(), expected)
            self.assertEqual(c.read_frame_bytes(), close_frame(code))
            self.assertTrue(c.reads_eof(3), "the server did not end the TCP connection")
        s = wait_stats(self.port, tag, lambda s: s["closes"])
        self.assertEqual(s["closes"], [code], "close code reported to the handler")
        self.assertEqual(s["upgrades"], 1)
        self.assert_still_echoes()

    def assert_close_echoed(self, payload, byte_by_byte=False):
        """A valid client close comes back byte for byte, then the server ends TCP, although the
        test server still holds the ws_handle_t."""
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            self.send(c, frame(CLOSE, payload), byte_by_byte)
            self.assertEqual(c.read_frame_bytes(), server_frame(CLOSE, payload))
            self.assertTrue(c.reads_eof(3), "no EOF after the closing handshake")
        expected = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 0
        s = wait_stats(self.port, tag, lambda s: s["closes"])
        self.assertEqual(s["closes"], [expected])

    # -- header rules (RFC 6455 5.1, 5.2, 5.4, 5.5) --

    def test_header_violations_get_1002(self):
        rows = [
            ("unmasked frame (5.1)", b"\x81\x05hello"),
            ("RSV1 (5.2)", frame(TEXT, "x", rsv=4)),
            ("RSV2 (5.2)", frame(TEXT, "x", rsv=2)),
            ("RSV3 (5.2)", frame(TEXT, "x", rsv=1)),
            ("all RSV bits (5.2)", frame(BINARY, "x", rsv=7)),
            ("ping of 126 bytes (5.5)", frame(PING, b"p" * 126)),
            ("close of 126 bytes (5.5)", frame(CLOSE, close_payload(1000, b"r" * 124))),
            ("non-final ping (5.5)", frame(PING, "p", fin=False)),
            ("non-final pong (5.5)", frame(PONG, "p", fin=False)),
            ("non-final close (5.5)", frame(CLOSE, close_payload(1000), fin=False)),
            ("continuation without a start (5.4)", frame(CONT, "x")),
            ("final continuation without a start (5.4)", frame(CONT, "", fin=True)),
            ("64-bit length with the top bit set (5.2)",
             b"\x82\xff" + struct.pack("!Q", 1 << 63) + b"\x11\x22\x33\x44"),
            ("close with a 1-byte payload (5.5.1)", frame(CLOSE, b"\x03")),
        ]
        rows += [(f"reserved opcode 0x{op:X} (5.2)", frame(op, "x")) for op in [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF]]
        for name, wire in rows:
            with self.subTest(name):
                self.assert_fails(wire, 1002)

    def test_unmasked_frame_gets_exactly_88_02_03_EA(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(b"\x81\x05hello")
            self.assertEqual(c.read_exact(4), bytes([0x88, 0x02, 0x03, 0xEA]))
            self.assertTrue(c.reads_eof(3))

    def test_header_violations_byte_by_byte(self):
        rows = [
            ("unmasked frame", b"\x81\x05hello", 1002),
            ("RSV1", frame(TEXT, "hello", rsv=4), 1002),
            ("opcode 0xB", frame(0xB, "hello"), 1002),
            ("ping of 126 bytes", frame(PING, b"p" * 126), 1002),
            ("close code 1005", frame(CLOSE, close_payload(1005)), 1002),
            ("invalid UTF-8", frame(TEXT, b"ab\xff"), 1007),
        ]
        for name, wire, code in rows:
            with self.subTest(name):
                self.assert_fails(wire, code, byte_by_byte=True)

    def test_new_data_frame_inside_a_fragmented_message_gets_1002(self):
        for second in (TEXT, BINARY):
            with self.subTest(second=second):
                self.assert_fails(frame(TEXT, "a", fin=False) + frame(second, "b"), 1002,
                                  echoes=[b"\x01\x01a"])

    # -- close frames (RFC 6455 5.5.1, 7.4) --

    def test_invalid_close_codes_get_1002(self):
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
                     5000, 65535]:
            with self.subTest(code=code):
                self.assert_fails(frame(CLOSE, close_payload(code)), 1002)

    def test_valid_close_codes_are_echoed_then_tcp_ends(self):
        for code in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                     3999, 4000, 4999]:
            with self.subTest(code=code):
                self.assert_close_echoed(close_payload(code))

    def test_close_with_reason_and_empty_close_are_echoed(self):
        self.assert_close_echoed(close_payload(1000, b"reason"))
        self.assert_close_echoed(close_payload(4001, "fermé ✓".encode()))
        self.assert_close_echoed(close_payload(1001, b"r" * 123))
        self.assert_close_echoed(b"")
        self.assert_close_echoed(close_payload(1000, b"bye"), byte_by_byte=True)

    def test_close_reason_with_invalid_utf8_gets_1007(self):
        for reason in [b"\xff", b"ok\xc3", b"\xed\xa0\x80", b"\xc0\xaf"]:
            with self.subTest(reason=reason):
                self.assert_fails(frame(CLOSE, close_payload(1000, reason)), 1007)

    def test_frames_after_the_peer_close_are_ignored(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(frame(CLOSE, close_payload(1000)) + frame(TEXT, "ignored"))
            self.assertEqual(c.read_frame_bytes(), close_frame(1000))
            self.assertTrue(c.reads_eof(3))

    # -- UTF-8 (RFC 6455 8.1, RFC 3629) --

    def test_invalid_utf8_text_gets_exactly_88_02_03_EF(self):
        rows = [
            ("FF FE", b"\xff\xfe"),
            ("lone continuation byte", b"a\x80"),
            ("overlong slash C0 AF", b"\xc0\xaf"),
            ("overlong 3-byte E0 80 AF", b"\xe0\x80\xaf"),
            ("surrogate U+D800", b"\xed\xa0\x80"),
            ("above U+10FFFF", b"\xf4\x90\x80\x80"),
            ("F5 lead byte", b"\xf5\x80\x80\x80"),
            ("final frame ends inside a code point", "a€".encode()[:-1]),
        ]
        for name, payload in rows:
            with self.subTest(name):
                self.assert_fails(frame(TEXT, payload), 1007)

    def test_invalid_utf8_in_a_later_fragment_gets_1007(self):
        self.assert_fails(frame(TEXT, "ab", fin=False) + frame(CONT, b"c\xff"), 1007,
                          echoes=[b"\x01\x02ab"])
        # the message ends inside a code point that started in an earlier fragment
        self.assert_fails(frame(TEXT, b"a\xe2\x82", fin=False) + frame(CONT, b""), 1007,
                          echoes=[b"\x01\x03a\xe2\x82"])

    def test_invalid_utf8_fails_fast_before_the_rest_of_the_frame(self):
        """A 16-byte text frame whose byte at `position` is invalid: only the header and the
        payload up to that byte are sent, and 88 02 03 EF must arrive before the rest is."""
        for position in [0, 2, 4, 8, 15]:
            with self.subTest(position=position):
                self.assert_utf8_fails_before_the_rest(
                    b"a" * position + b"\xff" + b"b" * (15 - position), position + 1)
        self.assert_still_echoes()

    def assert_utf8_fails_before_the_rest(self, payload, sent):
        """Sends a text frame's header and the first `sent` bytes of its payload: 88 02 03 EF
        must arrive before the rest is sent, then the end of the connection, and the handler
        sees 1007 and no message."""
        tag = new_tag("fast")
        wire = frame(TEXT, payload)
        first_part = len(wire) - len(payload) + sent
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            c.send(wire[:first_part])
            self.assertEqual(c.read_frame_bytes(timeout=3), b"\x88\x02\x03\xef")
            try:
                c.send(wire[first_part:])
            except OSError:
                pass
            self.assertTrue(c.reads_eof(3))
        s = wait_stats(self.port, tag, lambda s: s["closes"])
        self.assertEqual(s["closes"], [1007])
        self.assertEqual(s["upgrades"], 1, "exactly one upgrade request handled")
        self.assertEqual(s["messages"], 0)

    def test_code_point_split_across_fragments_is_valid(self):
        euro = "€".encode()          # E2 82 AC
        emoji = "😀".encode()        # F0 9F 98 80
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(frame(TEXT, b"a" + euro[:1], fin=False) + frame(CONT, euro[1:2], fin=False) +
                   frame(CONT, euro[2:] + emoji[:3], fin=False) + frame(CONT, emoji[3:] + b"z"))
            self.assertEqual(c.read_frame_bytes(), server_frame(TEXT, b"a" + euro[:1], fin=False))
            self.assertEqual(c.read_frame_bytes(), server_frame(CONT, euro[1:2], fin=False))
            self.assertEqual(c.read_frame_bytes(), server_frame(CONT, euro[2:] + emoji[:3], fin=False))
            self.assertEqual(c.read_frame_bytes(), server_frame(CONT, emoji[3:] + b"z"))

    def test_invalid_utf8_in_long_text_fails_fast(self):
        """A 400-byte text of 2-byte code points with a surrogate at `position`: the server
        checks such text 64 bytes a step, and must still close with 1007 once it has the bad
        bytes and 64 more, before the rest of the frame arrives."""
        text = ("κόσμε" * 40).encode()[:400]
        for position in [0, 61, 62, 63, 64, 100, 190, 300]:
            with self.subTest(position=position):
                self.assert_utf8_fails_before_the_rest(
                    text[:position] + b"\xed\xa0\x80" + text[position + 3:], position + 3 + 64)
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(frame(TEXT, text))
            self.assertEqual(c.read_frame_bytes(), server_frame(TEXT, text))

    def test_valid_utf8_edge_cases_are_echoed(self):
        rows = ["", "ascii", "é", "€uro", "😀", "\U0010FFFF", "\uFFFF", "\u0800\u07FF", "κόσμε" * 20]
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            for text in rows:
                with self.subTest(text=text):
                    c.send(frame(TEXT, text))
                    self.assertEqual(c.read_frame_bytes(), server_frame(TEXT, text))

    # -- sizes and lengths (RFC 6455 5.2, our limit) --

    def test_lengths_and_their_encodings(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            for n in [0, 1, 125, 126, 127, 200, 65535, 65536]:
                with self.subTest(n=n):
                    payload = bytes(i % 251 for i in range(n))
                    c.send(frame(BINARY, payload))
                    self.assertEqual(c.read_frame_bytes(), server_frame(BINARY, payload))
            # RFC 6455 section 13's examples: 200 -> 7E 00 C8
            c.send(frame(TEXT, b"t" * 200))
            self.assertEqual(c.read_exact(4), b"\x81\x7e\x00\xc8")
            self.assertEqual(c.read_exact(200), b"t" * 200)

    def test_declared_length_of_2_to_the_62_gets_1009_without_memory_growth(self):
        before = rss_kib(self.server.proc.pid)
        header = b"\x82\xff" + struct.pack("!Q", 1 << 62) + b"\x11\x22\x33\x44"
        self.assert_fails(header, 1009)
        self.assert_fails(header + b"\x00" * 1000, 1009)
        self.assert_fails(header, 1009, byte_by_byte=True)
        grown = rss_kib(self.server.proc.pid) - before
        self.assertLess(grown, 16 * 1024, f"the server grew by {grown} KiB")

    def test_frame_over_the_limit_gets_1009(self):
        self.assert_fails(frame(BINARY, b"", length=MAX_MESSAGE_SIZE + 1), 1009)
        self.assert_fails(frame(TEXT, b"", length=0xFFFFFFFF), 1009)

    def test_fragmented_message_over_the_limit_gets_1009(self):
        half = MAX_MESSAGE_SIZE // 2 + 1
        self.assert_fails(frame(BINARY, b"x" * half, fin=False) + frame(CONT, b"y" * half), 1009,
                          echoes=[server_frame(BINARY, b"x" * half, fin=False)])

    def test_message_at_the_limit_is_echoed(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            payload = os.urandom(MAX_MESSAGE_SIZE)
            c.send(frame(BINARY, payload))
            self.assertEqual(c.read_frame_bytes(), server_frame(BINARY, payload))

    # -- many frames, splits, control frames between fragments --

    def test_every_split_point_of_a_frame_sequence(self):
        """The same bytes cut into two sends at every position give the same echoes."""
        wire = (frame(TEXT, "he", fin=False) + frame(PING, "p") + frame(CONT, "llo") +
                frame(BINARY, b"\x00" * 130))
        expected = (server_frame(TEXT, "he", fin=False) + server_frame(PONG, "p") +
                    server_frame(CONT, "llo") + server_frame(BINARY, b"\x00" * 130))
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            for cut in range(1, len(wire)):
                c.send(wire[:cut])
                c.send(wire[cut:])
                self.assertEqual(c.read_exact(len(expected)), expected, f"cut at {cut}")

    def test_whole_sequence_byte_by_byte(self):
        wire = frame(TEXT, "hello") + frame(PING, "pp") + frame(BINARY, bytes(range(200)))
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send_byte_by_byte(wire)
            self.assertEqual(c.read_frame_bytes(), b"\x81\x05hello")
            self.assertEqual(c.read_frame_bytes(), b"\x8a\x02pp")
            self.assertEqual(c.read_frame_bytes(), server_frame(BINARY, bytes(range(200))))

    def test_many_frames_in_one_send(self):
        wire = b"".join(frame(TEXT, f"m{i}") for i in range(500))
        expected = b"".join(server_frame(TEXT, f"m{i}") for i in range(500))
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(wire)
            self.assertEqual(c.read_exact(len(expected)), expected)

    def test_control_frames_between_fragments(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(frame(TEXT, "he", fin=False) + frame(PING, "p") + frame(PONG, "ignored") +
                   frame(CONT, "l", fin=False) + frame(CONT, "lo"))
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), b"\x8a\x01p")
            self.assertEqual(c.read_frame_bytes(), b"\x00\x01l")
            self.assertEqual(c.read_frame_bytes(), b"\x80\x02lo")

    def test_client_disconnect_is_reported_as_1006(self):
        """The peer goes away at different points: the handler gets a made-up 1006 each time."""
        cuts = [0, 1, 2, 6, 8]           # within a 2+4+5-byte frame: none, header, mask, payload
        wire = frame(TEXT, "hello")
        for cut in cuts:
            with self.subTest(cut=cut):
                tag = new_tag("lost")
                with raw_client(self.port) as c:
                    c.upgrade(f"/echo?tag={tag}")
                    c.send(wire[:cut])
                s = wait_stats(self.port, tag, lambda s: s["closes"])
                self.assertEqual(s["closes"], [1006])

    def test_bytes_in_the_same_segment_as_the_upgrade_request_are_not_lost(self):
        from ws_raw import upgrade_request
        with raw_client(self.port) as c:
            c.send(upgrade_request("/echo?tag=" + new_tag()) + frame(TEXT, "early") +
                   frame(PING, "p"))
            response = c.read_until(b"\r\n\r\n").decode()
            self.assertTrue(response.startswith("HTTP/1.1 101 "), response)
            self.assertEqual(c.read_frame_bytes(), b"\x81\x05early")
            self.assertEqual(c.read_frame_bytes(), b"\x8a\x01p")

    def test_seed_behaviour_echoes_ping_as_ping_and_close(self):
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/seed?tag={tag}")
            c.send(frame(PING, "pp") + frame(TEXT, "he", fin=False) + frame(CONT, "llo"))
            self.assertEqual(c.read_frame_bytes(), b"\x89\x02pp")
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), b"\x80\x03llo")
            c.send(frame(CLOSE, close_payload(1000, b"r")))
            self.assertEqual(c.read_frame_bytes(), b"\x88\x03\x03\xe8r")
            self.assertTrue(c.reads_eof(3))
        self.assertEqual(wait_stats(self.port, tag, lambda s: s["closes"])["closes"], [1000])


class ws_protocol_over_tls_test(ws_protocol_test):
    tls = True


if __name__ == "__main__":
    unittest.main(verbosity=2)

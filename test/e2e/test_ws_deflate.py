"""permessage-deflate (RFC 7692) end to end, against websocket_echo_server --deflate: Python
`websockets` with its default offer echoes text and binary from 0 B to 16 MiB compressed both
ways; raw-socket clients check that the server's frames carry RSV1 and inflate to the message,
fragmented compressed messages with control frames between the fragments (echoed as one
compressed message in as many frames), 1,000 compressed
messages in one segment, and the exact close code of each bad input (a zip bomb 1009, RSV1
misuse 1002, data that does not inflate 1007), after which the server keeps serving. Every read
has a deadline."""

import asyncio
import os
import struct
import unittest
import zlib

import websockets

from e2e_support import binary, server_process
from ws_raw import BINARY, CLOSE, CONT, PING, PONG, TEXT, close_frame, frame, raw_client

OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
AGREED = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
RSV1 = 0x4


def deflated(message, level=6):
    """The message as a client compressor without context sends it (RFC 7692 7.2.1)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = c.compress(message) + c.flush(zlib.Z_SYNC_FLUSH)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


def inflated(data):
    return zlib.decompressobj(-15).decompress(data + b"\x00\x00\xff\xff")


def json_like(n):
    text = b"".join(b'{"id":%d,"price":%d,"qty":%d},' % (i % 97, i * 7 % 10007, i % 13)
                    for i in range(n // 20 + 1))
    return text[:n]


def run(coro, timeout=120):
    return asyncio.run(asyncio.wait_for(coro, timeout))


class ws_deflate_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0", "--deflate"]).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def compressed_client(self):
        c = raw_client(self.port).__enter__()
        response = c.upgrade("/", extra=OFFER)
        self.assertIn(f"Sec-WebSocket-Extensions: {AGREED}\r\n", response)
        return c

    def assert_still_echoes(self):
        with self.compressed_client() as c:
            c.send(frame(TEXT, deflated(b"still here" * 10), rsv=RSV1))
            head = c.read_frame_bytes()
            self.assertEqual(head[0], 0xC1)
            self.assertEqual(inflated(head[2:]), b"still here" * 10)

    def assert_closes_with(self, c, code):
        """Echoes of the frames before the bad one may come first."""
        fin, opcode, payload = c.read_frame()
        while opcode in (TEXT, CONT):
            fin, opcode, payload = c.read_frame()
        self.assertEqual((opcode, payload[:2]), (CLOSE, struct.pack("!H", code)))
        self.assertTrue(c.reads_eof())

    def test_python_websockets_default_offer_echoes_0_to_16_mib(self):
        async def scenario():
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/", max_size=None,
                                          ping_interval=None, open_timeout=10) as ws:
                self.assertEqual(ws.response_headers["Sec-WebSocket-Extensions"], AGREED)
                for n in (0, 1, 63, 64, 65, 1000, 70000, 1 << 20, 16 << 20):
                    text = json_like(n).decode()
                    await ws.send(text)
                    self.assertEqual(await ws.recv(), text)
                    data = os.urandom(n)
                    await ws.send(data)
                    self.assertEqual(await ws.recv(), data)
        run(scenario())

    def test_python_websockets_fragmented_messages_both_ways(self):
        # websockets sends an iterable as one message in fragments, compressed on one stream;
        # the echo comes back in as many frames, compressed the same way, and joins.
        async def scenario():
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/", max_size=None,
                                          ping_interval=None, open_timeout=10) as ws:
                for sizes in ((10, 5000, 0, 70000), (1, 1), (100000,)):
                    parts = [json_like(n).decode() for n in sizes]
                    await ws.send(parts)
                    self.assertEqual(await ws.recv(), "".join(parts))
                    chunks = [os.urandom(n) for n in sizes]
                    await ws.send(chunks)
                    self.assertEqual(await ws.recv(), b"".join(chunks))
        run(scenario())

    def test_server_frames_carry_rsv1_and_inflate(self):
        message = json_like(5000)
        with self.compressed_client() as c:
            c.send(frame(BINARY, deflated(message), rsv=RSV1))
            raw = c.read_frame_bytes()
            self.assertEqual(raw[0], 0x80 | (RSV1 << 4) | BINARY)
            start = 2 + (2 if raw[1] & 0x7F == 126 else 8 if raw[1] & 0x7F == 127 else 0)
            self.assertLess(len(raw) - start, len(message) // 3)
            self.assertEqual(inflated(raw[start:]), message)
            # Below the threshold (64 bytes) a message goes as it is.
            c.send(frame(TEXT, deflated(b"short"), rsv=RSV1))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x05short")

    def test_fragmented_compressed_message_with_control_frames_between(self):
        message = json_like(3000)
        body = deflated(message)
        third = len(body) // 3
        with self.compressed_client() as c:
            c.send(frame(TEXT, body[:third], fin=False, rsv=RSV1) + frame(PING, b"p") +
                   frame(CONT, body[third:2 * third], fin=False) + frame(PONG, b"q") +
                   frame(CONT, body[2 * third:]))
            # The echo, frame for frame, is one compressed message too: RSV1 on its first
            # frame only, each frame's bytes inflating on one stream as they come.
            stream = zlib.decompressobj(-15)
            echoed, pongs, frames = b"", 0, 0
            while True:
                raw = c.read_frame_bytes()
                fin, opcode = bool(raw[0] & 0x80), raw[0] & 0x0F
                start = 2 + (2 if raw[1] & 0x7F == 126 else 8 if raw[1] & 0x7F == 127 else 0)
                payload = raw[start:]
                if opcode == PONG:
                    self.assertEqual(payload, b"p")
                    pongs += 1
                    continue
                self.assertEqual(bool(raw[0] & 0x40), frames == 0, f"RSV1 of frame {frames}")
                self.assertEqual(opcode, TEXT if frames == 0 else CONT)
                frames += 1
                echoed += stream.decompress(payload + (b"\x00\x00\xff\xff" if fin else b""))
                if fin:
                    break
            self.assertEqual(pongs, 1)
            self.assertEqual(frames, 3)
            self.assertEqual(echoed, message)

    def test_a_thousand_compressed_messages_in_one_segment(self):
        messages = [json_like(100 + i % 300) + b"#%d" % i for i in range(1000)]
        with self.compressed_client() as c:
            c.send(b"".join(frame(TEXT, deflated(m), rsv=RSV1) for m in messages))
            for i, m in enumerate(messages):
                raw = c.read_frame_bytes()
                start = 2 + (2 if raw[1] & 0x7F == 126 else 0)
                got = inflated(raw[start:]) if raw[0] & 0x40 else raw[start:]
                self.assertEqual(got, m, f"message {i}")

    def test_zip_bomb_gets_1009(self):
        bomb = deflated(b"\0" * (64 << 20), level=9)
        self.assertLess(len(bomb), 100_000)
        for fragmented in (False, True):
            with self.subTest(fragmented=fragmented), self.compressed_client() as c:
                if fragmented:
                    half = len(bomb) // 2
                    c.send(frame(BINARY, bomb[:half], fin=False, rsv=RSV1) + frame(CONT, bomb[half:]))
                else:
                    c.send(frame(BINARY, bomb, rsv=RSV1))
                self.assert_closes_with(c, 1009)
        self.assert_still_echoes()

    def test_bad_input_gets_the_exact_close_code(self):
        good = deflated(b"hello" * 20)
        cases = [
            ("RSV1 on a ping", frame(PING, b"", rsv=RSV1), 1002),
            ("RSV1 on a continuation", frame(TEXT, good, fin=False, rsv=RSV1) + frame(CONT, b"", rsv=RSV1), 1002),
            ("RSV2", frame(TEXT, b"a", rsv=0x2), 1002),
            ("not a deflate stream", frame(BINARY, b"\x07\x00", rsv=RSV1), 1007),
            ("inflated text not UTF-8", frame(TEXT, deflated(b"ok \xc3\x28"), rsv=RSV1), 1007),
        ]
        for name, wire, code in cases:
            with self.subTest(name), self.compressed_client() as c:
                c.send(wire)
                self.assert_closes_with(c, code)
        # Not negotiated: RSV1 is a protocol error (RFC 6455 5.2).
        with raw_client(self.port) as c:
            response = c.upgrade("/")
            self.assertNotIn("Sec-WebSocket-Extensions", response)
            c.send(frame(TEXT, good, rsv=RSV1))
            self.assert_closes_with(c, 1002)
        self.assert_still_echoes()


class ws_deflate_off_test(unittest.TestCase):
    def test_without_the_setting_no_extension_is_answered(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0"]) as server:
            with raw_client(server.port) as c:
                self.assertNotIn("Sec-WebSocket-Extensions", c.upgrade("/", extra=OFFER))
                c.send(frame(TEXT, deflated(b"x" * 100), rsv=RSV1))
                fin, opcode, payload = c.read_frame()
                self.assertEqual((opcode, payload[:2]), (CLOSE, struct.pack("!H", 1002)))


if __name__ == "__main__":
    unittest.main()

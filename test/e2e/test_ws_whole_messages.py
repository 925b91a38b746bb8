"""Whole messages (websocket_whole_messages, whole_messages(), frame_by_frame()) end to end:
Python `websockets` sends messages as fragments (an iterable), a raw socket puts control frames
between fragments and reads the echo byte for byte, and the handler's call count comes from the
server's /stats. With the setting on, the handler gets one message per data message; with it off
(the default) one call per frame, as before; upgrade() can choose either for one connection. The
message-size limit counts every fragment: 1009, and the server keeps serving."""

import asyncio
import os
import struct
import unittest

import websockets

from e2e_support import binary, server_process
from ws_raw import (BINARY, CLOSE, CONT, PING, TEXT, close_frame, frame, new_tag, raw_client,
                    server_frame, stats, wait_stats)

MiB = 1024 * 1024
CLIENT_OPTIONS = dict(max_size=None, ping_interval=None, compression=None, open_timeout=5,
                      close_timeout=3)


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def scenarios(*args):
    return server_process([binary("E2E_SERVER_WS_SCENARIOS"), "--close-wait-ms", "1000",
                           "--timer-ms", "100", *args])


def chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


class whole_messages_test(unittest.TestCase):
    """A server with websocket_whole_messages( true ) and a 1 MiB message-size limit."""

    @classmethod
    def setUpClass(cls):
        cls.server = scenarios("--whole-messages", "1", "--max-message-size", str(MiB)).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def uri(self, path, tag):
        return f"ws://127.0.0.1:{self.port}{path}?tag={tag}"

    def messages_and_closes(self, tag):
        s = wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)
        return s["messages"], s["closes"]

    def test_fragments_from_websockets_reach_the_handler_as_one_message(self):
        tag = new_tag()
        text = "Ünïcödé 🎉 " * 10000        # 150,000 bytes of UTF-8
        data = os.urandom(MiB)

        async def scenario():
            async with websockets.connect(self.uri("/echo", tag), **CLIENT_OPTIONS) as ws:
                await ws.send(["frag", "ment", "ed €", ""])
                self.assertEqual(await ws.recv(), "fragmented €")
                encoded = text.encode()
                await ws.send(chunks(encoded, 65531))        # bytes: a binary message
                self.assertEqual(await ws.recv(), encoded)
                await ws.send(chunks(text, 20000))
                self.assertEqual(await ws.recv(), text)
                await ws.send(chunks(data, 64 * 1024))       # 1 MiB: the limit exactly
                self.assertEqual(await ws.recv(), data)
                await ws.send("unfragmented")
                self.assertEqual(await ws.recv(), "unfragmented")
        run(scenario())
        # one handler call per message, whatever the number of frames (4, 3, 8, 16, 1)
        self.assertEqual(self.messages_and_closes(tag), (5, [1000]))

    def test_control_frames_come_between_fragments_and_the_echo_is_one_frame(self):
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            c.send(frame(TEXT, "he", fin=False) + frame(PING, "p1") + frame(CONT, "ll", fin=False))
            # the ping is answered while the message is still incomplete
            self.assertEqual(c.read_frame_bytes(), server_frame(0xA, "p1"))
            self.assertTrue(c.nothing_arrives(0.2))
            c.send(frame(PING, "p2") + frame(CONT, "o"))
            self.assertEqual(c.read_frame_bytes(), server_frame(0xA, "p2"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x05hello")
            c.send(frame(BINARY, b"\x00", fin=False) + frame(CONT, b"", fin=False) + frame(CONT, b"\xff"))
            self.assertEqual(c.read_frame_bytes(), b"\x82\x02\x00\xff")
            c.send(frame(CLOSE, struct.pack("!H", 1000)))
            self.assertEqual(c.read_frame_bytes(), close_frame(1000))
            self.assertTrue(c.reads_eof())
        # two messages, two pings
        self.assertEqual(self.messages_and_closes(tag), (4, [1000]))

    def test_message_size_limit_over_fragments_closes_1009_and_the_server_keeps_serving(self):
        for name, fragments in [("the last fragment", [MiB // 2, MiB // 2 - 100, 101]),
                                ("a middle fragment", [MiB - 10, 11, 5])]:
            with self.subTest(over_in=name):
                tag = new_tag()
                with raw_client(self.port) as c:
                    c.upgrade(f"/echo?tag={tag}")
                    for i, n in enumerate(fragments):
                        c.send(frame(BINARY if i == 0 else CONT, b"\x01" * n, fin=i == len(fragments) - 1))
                        if sum(fragments[:i + 1]) > MiB:
                            break
                    self.assertEqual(c.read_frame_bytes(), close_frame(1009))
                    self.assertTrue(c.reads_eof())
                s = wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)
                self.assertEqual((s["messages"], s["closes"]), (0, [1009]))

        async def still_serving():
            async with websockets.connect(self.uri("/echo", new_tag()), **CLIENT_OPTIONS) as ws:
                await ws.send(["still ", "serving"])
                self.assertEqual(await ws.recv(), "still serving")
        run(still_serving())

    def test_invalid_utf8_in_a_fragment_closes_1007_before_the_message_ends(self):
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            c.send(frame(TEXT, "valid", fin=False) + frame(CONT, b"\xc3\x28", fin=False))
            self.assertEqual(c.read_frame_bytes(), close_frame(1007))
            self.assertTrue(c.reads_eof())
        s = wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)
        self.assertEqual((s["messages"], s["closes"]), (0, [1007]))

    def test_frame_by_frame_for_one_upgrade_overrides_the_server(self):
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo-frames?tag={tag}")
            c.send(frame(TEXT, "he", fin=False) + frame(CONT, "llo"))
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), b"\x80\x03llo")
            c.send(frame(CLOSE, struct.pack("!H", 1000)))
            self.assertEqual(c.read_frame_bytes(), close_frame(1000))
        self.assertEqual(self.messages_and_closes(tag), (2, [1000]))


class frames_by_default_test(unittest.TestCase):
    """A server with the default settings: frames, as RESTinio delivers them."""

    @classmethod
    def setUpClass(cls):
        cls.server = scenarios().__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_the_default_is_one_call_per_frame(self):
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            c.send(frame(TEXT, "he", fin=False) + frame(PING, "p") + frame(CONT, "llo"))
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), server_frame(0xA, "p"))
            self.assertEqual(c.read_frame_bytes(), b"\x80\x03llo")
        s = wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)
        self.assertEqual(s["messages"], 3)

    def test_whole_messages_for_one_upgrade_overrides_the_server(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/echo-whole?tag={tag}",
                                          **CLIENT_OPTIONS) as ws:
                await ws.send(["one ", "message ", "in ", "fragments"])
                self.assertEqual(await ws.recv(), "one message in fragments")
        run(scenario())
        s = wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)
        self.assertEqual((s["messages"], s["closes"]), (1, [1000]))
        with raw_client(self.port) as c:
            c.upgrade(f"/echo-whole?tag={new_tag()}")
            c.send(frame(BINARY, b"ab", fin=False) + frame(PING, "p") + frame(CONT, b"c"))
            self.assertEqual(c.read_frame_bytes(), server_frame(0xA, "p"))
            self.assertEqual(c.read_frame_bytes(), b"\x82\x03abc")


if __name__ == "__main__":
    unittest.main()

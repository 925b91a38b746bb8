"""Liveness over real sockets, against e2e_server_ws_scenarios and the websocket_echo_server
sample: the automatic pong (Python websockets' ping(), and the exact frame on a raw socket), the
idle timeout (its exact close code, data either way keeping the connection open, a peer that
then never answers our close), keepalive pings (a raw peer that answers is kept, one that stops
answering is dropped after the pong limit and its handler sees 1006), and the time limit on an
opening handshake whose handler never upgrades. Every deadline is checked from both sides: not
before it, and not much after (timer period 100 ms)."""

import asyncio
import struct
import subprocess
import time
import unittest

import websockets

from e2e_support import TIME_SCALE, binary, server_process
from ws_raw import CLOSE, PING, PONG, TEXT, close_frame, frame, new_tag, raw_client, wait_stats

CLIENT_OPTIONS = dict(ping_interval=None, compression=None, open_timeout=5, close_timeout=3)


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout * TIME_SCALE))


def scenarios(*args):
    return server_process([binary("E2E_SERVER_WS_SCENARIOS"), "--timer-ms", "100", *args])


def closes(port, tag, count=1):
    return wait_stats(port, tag, lambda s: len(s["closes"]) >= count, timeout=10 * TIME_SCALE)["closes"]


def assert_still_echoes(test, port):
    with raw_client(port) as c:
        c.upgrade(f"/echo?tag={new_tag()}")
        c.send(frame(TEXT, "still here"))
        test.assertEqual(c.read_frame_bytes(), b"\x81\x0astill here")


class auto_pong_test(unittest.TestCase):
    def test_python_ping_is_answered_by_the_library_and_the_handler_still_gets_it(self):
        with scenarios("--auto-pong", "1") as server:      # /echo then leaves pings to the library
            tag = new_tag()

            async def scenario():
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo?tag={tag}",
                                              **CLIENT_OPTIONS) as ws:
                    for payload in [b"", b"ping!", bytes(range(125))]:
                        await asyncio.wait_for(await ws.ping(payload), 3)
            run(scenario())
            self.assertEqual(wait_stats(server.port, tag, lambda s: s["messages"] >= 3)["messages"], 3)

    def test_exactly_one_pong_with_the_payload_before_what_follows(self):
        with scenarios("--auto-pong", "1") as server:
            with raw_client(server.port) as c:
                c.upgrade(f"/echo?tag={new_tag()}")
                c.send(frame(PING, b"pp") + frame(TEXT, b"after"))
                self.assertEqual(c.read_frame_bytes(), b"\x8a\x02pp")
                self.assertEqual(c.read_frame_bytes(), b"\x81\x05after")
                self.assertTrue(c.nothing_arrives(0.3))

    def test_on_with_a_handler_that_echoes_pings_the_pong_comes_first(self):
        with scenarios("--auto-pong", "1") as server:
            with raw_client(server.port) as c:
                c.upgrade(f"/seed?tag={new_tag()}")
                c.send(frame(PING, b"pp"))
                self.assertEqual(c.read_frame_bytes(), b"\x8a\x02pp")
                self.assertEqual(c.read_frame_bytes(), b"\x89\x02pp")

    def test_off_by_default_the_seed_gets_its_ping_back_and_no_pong(self):
        with scenarios() as server:
            tag = new_tag()
            with raw_client(server.port) as c:
                c.upgrade(f"/seed?tag={tag}")
                c.send(frame(PING, b"pp"))
                self.assertEqual(c.read_frame_bytes(), b"\x89\x02pp")
                self.assertTrue(c.nothing_arrives(0.5))
            self.assertEqual(wait_stats(server.port, tag, lambda s: s["messages"] >= 1)["messages"], 1)

    def test_echo_server_sample_answers_once(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0"]) as server:
            with raw_client(server.port) as c:
                c.upgrade("/")
                c.send(frame(PING, b"pp") + frame(TEXT, b"x"))
                self.assertEqual(c.read_frame_bytes(), b"\x8a\x02pp")
                self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")


class idle_timeout_test(unittest.TestCase):
    def test_idle_connection_gets_1001_and_the_handler_sees_it(self):
        with scenarios("--idle-ms", "1000") as server:
            tag = new_tag()

            async def scenario():
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo?tag={tag}",
                                              **CLIENT_OPTIONS) as ws:
                    await ws.send("hi")
                    self.assertEqual(await ws.recv(), "hi")
                    start = time.monotonic()
                    with self.assertRaises(websockets.ConnectionClosedOK):
                        await ws.recv()
                    elapsed = time.monotonic() - start
                    self.assertEqual(ws.close_code, 1001)
                    self.assertGreater(elapsed, 0.9)
                    self.assertLess(elapsed, 1.0 + 1.0 * TIME_SCALE)
            run(scenario())
            self.assertEqual(closes(server.port, tag), [1001])
            assert_still_echoes(self, server.port)

    def test_data_either_way_keeps_it_open_pings_do_not(self):
        with scenarios("--idle-ms", "1000") as server:
            async def scenario():
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo?tag={new_tag()}",
                                              **CLIENT_OPTIONS) as ws:
                    # 2.4 s of messages 0.3 s apart: never idle for 1 s.
                    for i in range(8):
                        await ws.send(f"m{i}")
                        self.assertEqual(await ws.recv(), f"m{i}")
                        await asyncio.sleep(0.3)
                    # Pings (answered by the library) are no data: the idle limit still runs.
                    start = time.monotonic()
                    with self.assertRaises(websockets.ConnectionClosedOK):
                        while True:
                            await asyncio.wait_for(await ws.ping(), 3)
                            await asyncio.sleep(0.2)
                    self.assertEqual(ws.close_code, 1001)
                    self.assertLess(time.monotonic() - start, 1.0 + 1.0 * TIME_SCALE)
            run(scenario())

    def test_chosen_code_and_a_peer_that_never_answers_our_close(self):
        with scenarios("--idle-ms", "500", "--idle-code", "4000", "--close-wait-ms", "1000") as server:
            tag = new_tag()
            with raw_client(server.port) as c:
                c.upgrade(f"/echo?tag={tag}")
                self.assertEqual(c.read_frame_bytes(timeout=3), close_frame(4000))
                start = time.monotonic()
                # The peer never answers: TCP is closed after the close-handshake limit.
                self.assertTrue(c.reads_eof(5))
                self.assertGreater(time.monotonic() - start, 0.9)
                self.assertLess(time.monotonic() - start, 1.0 + 1.0 * TIME_SCALE)
            self.assertEqual(closes(server.port, tag), [4000])
            assert_still_echoes(self, server.port)


class keepalive_test(unittest.TestCase):
    def test_peer_that_answers_is_kept_and_one_that_stops_is_dropped_with_1006(self):
        with scenarios("--ping-ms", "500", "--pong-ms", "700") as server:
            tag = new_tag()
            with raw_client(server.port) as c:
                c.upgrade(f"/echo?tag={tag}")
                # Silent for 0.5 s: a ping; answered, and so again.
                for _ in range(3):
                    start = time.monotonic()
                    self.assertEqual(c.read_frame_bytes(timeout=3), b"\x89\x00")
                    self.assertGreater(time.monotonic() - start, 0.4)
                    c.send(frame(PONG, b""))
                # Any frame answers too, and keeps the pings away while it flows.
                for i in range(4):
                    c.send(frame(TEXT, b"t"))
                    self.assertEqual(c.read_frame_bytes(), b"\x81\x01t")
                    time.sleep(0.2)
                # Then the peer stops answering: one more ping, then TCP ends 0.7 s after it.
                self.assertEqual(c.read_frame_bytes(timeout=3), b"\x89\x00")
                start = time.monotonic()
                self.assertTrue(c.reads_eof(5))
                elapsed = time.monotonic() - start
                self.assertGreater(elapsed, 0.6)
                self.assertLess(elapsed, 0.7 + 1.0 * TIME_SCALE)
            self.assertEqual(closes(server.port, tag), [1006])
            assert_still_echoes(self, server.port)

    def test_python_client_answers_the_pings_and_stays(self):
        with scenarios("--ping-ms", "200", "--pong-ms", "500") as server:
            async def scenario():
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo?tag={new_tag()}",
                                              **CLIENT_OPTIONS) as ws:
                    await asyncio.sleep(2.0)            # ten ping intervals, all answered
                    await ws.send("still")
                    self.assertEqual(await ws.recv(), "still")
            run(scenario())

    def test_echo_server_sample_switches(self):
        args = [binary("WEBSOCKET_ECHO_SERVER"), "--port", "0", "--ping-interval", "0.5", "--idle-timeout", "1.5"]
        with server_process(args) as server:
            with raw_client(server.port) as c:
                c.upgrade("/")
                self.assertEqual(c.read_frame_bytes(timeout=3), b"\x89\x00")
                c.send(frame(PONG, b""))
                # The pong is no data: idle 1.5 s after the upgrade (timer period 1 s).
                for _ in range(3):
                    last = c.read_frame_bytes(timeout=4)
                    if last[0] == 0x88:
                        break
                    self.assertEqual(last, b"\x89\x00")
                self.assertEqual(last, close_frame(1001))
                c.send(frame(CLOSE, struct.pack("!H", 1001)))
                self.assertTrue(c.reads_eof(3))
        for bad in ["-1", "x", ""]:
            with self.subTest(value=bad):
                result = subprocess.run([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0", "--idle-timeout", bad],
                                        capture_output=True, timeout=5)
                self.assertEqual(result.returncode, 2)


class opening_handshake_test(unittest.TestCase):
    def test_upgrade_request_whose_handler_never_answers_is_closed(self):
        # handle_request_timeout = close-wait (1 s) for upgrade requests too.
        with scenarios("--close-wait-ms", "1000") as server:
            with raw_client(server.port) as c:
                c.send(b"GET /never?tag=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       b"Sec-WebSocket-Version: 13\r\n\r\n")
                start = time.monotonic()
                self.assertTrue(c.reads_eof(5))
                self.assertGreater(time.monotonic() - start, 0.9)
                self.assertLess(time.monotonic() - start, 1.0 + 1.0 * TIME_SCALE)


if __name__ == "__main__":
    unittest.main(verbosity=2)

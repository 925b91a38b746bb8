"""Going away (RFC 6455 7.4.1): a server stopped by SIGTERM under restinio::run sends 1001 to every
open WebSocket connection after the frames its handlers queued before, waits for the closing
handshakes up to websocket_going_away_timelimit, closes what is left, runs cleanup_func and
exits 0. Checked with 1,000 Python websockets clients on 1 and on 4 threads (each reads a burst
the handler queued at once only after the signal: all of it, then 1001), with a raw peer that
never answers the 1001 (TCP closed, exit after the limit), with clients that keep sending while
a thread pool stops (ThreadSanitizer runs this file), and with the websocket_echo_server sample."""

import asyncio
import resource
import signal
import time
import unittest

import websockets

from e2e_support import TIME_SCALE, binary, server_process
from ws_raw import TEXT, close_frame, frame, new_tag, raw_client, wait_stats

CLIENT_OPTIONS = dict(ping_interval=None, compression=None, open_timeout=30, close_timeout=10,
                      max_size=None)


def run(coro, timeout=120):
    return asyncio.run(asyncio.wait_for(coro, timeout * TIME_SCALE))


def scenarios(*args):
    return server_process([binary("E2E_SERVER_WS_SCENARIOS"), "--timer-ms", "100", *args])


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard < needed:
            raise unittest.SkipTest(f"{needed} descriptors needed, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


async def sigterm_with_bursts_queued(test, server, connections, burst, size):
    """`connections` clients each get a burst of `burst` messages queued by one handler call, read
    only the first before SIGTERM, and then must read the rest in order and a 1001 close."""
    uri = f"ws://127.0.0.1:{server.port}/burst?n={burst}&size={size}&tag={new_tag()}"
    opening = asyncio.Semaphore(100)

    async def connect():
        async with opening:
            ws = await websockets.connect(uri, **CLIENT_OPTIONS)
            await ws.send("go")
            # The first message proves the handler ran, and so queued the whole burst.
            first = await ws.recv()
            test.assertTrue(first.startswith(b"0:"), first[:16])
            return ws

    clients = await asyncio.gather(*[connect() for _ in range(connections)])
    server.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()

    async def finish(ws):
        got = [await ws.recv() for _ in range(burst - 1)]
        with test.assertRaises(websockets.ConnectionClosedOK):
            await ws.recv()
        return [m[:m.index(b":")] for m in got], ws.close_code

    results = await asyncio.gather(*[finish(ws) for ws in clients])
    expected = [str(i).encode() for i in range(1, burst)]
    test.assertEqual([r for r in results if r != (expected, 1001)], [])
    return time.monotonic() - signalled


class going_away_test(unittest.TestCase):
    def sigterm_1000(self, threads):
        raise_fd_limit(4096)
        with scenarios("--threads", str(threads)) as server:
            elapsed = run(sigterm_with_bursts_queued(self, server, 1000, 8, 1000))
            self.assertEqual(server.wait(30), 0)
            # Every client answered: nobody waited for the 5 s limit.
            self.assertLess(elapsed, 5.0)

    def test_sigterm_with_1000_connections_on_1_thread(self):
        self.sigterm_1000(1)

    def test_sigterm_with_1000_connections_on_4_threads(self):
        self.sigterm_1000(4)

    def test_a_peer_that_never_answers_the_1001_is_closed_after_the_limit(self):
        with scenarios("--going-away-ms", "1000", "--close-wait-ms", "30000") as server:
            tag = new_tag()
            with raw_client(server.port) as silent, raw_client(server.port) as polite:
                silent.upgrade(f"/echo?tag={tag}")
                polite.upgrade(f"/echo?tag={tag}")
                for c in (silent, polite):
                    c.send(frame(TEXT, b"x"))
                    self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")
                server.proc.send_signal(signal.SIGTERM)
                start = time.monotonic()
                for c in (silent, polite):
                    self.assertEqual(c.read_frame_bytes(), close_frame(1001))
                polite.send(frame(0x8, b"\x03\xe9"))
                self.assertTrue(polite.reads_eof(3))
                self.assertLess(time.monotonic() - start, 0.5)
                # The going-away limit (1 s), not the close-handshake one (30 s), ends the other.
                self.assertTrue(silent.reads_eof(5))
                self.assertGreater(time.monotonic() - start, 0.9)
                self.assertLess(time.monotonic() - start, 1.0 + 1.0 * TIME_SCALE)
                self.assertEqual(server.wait(5), 0)

    def test_stop_while_clients_send_on_a_pool(self):
        with scenarios("--threads", "4") as server:
            uri = f"ws://127.0.0.1:{server.port}/echo?tag={new_tag()}"
            stop = asyncio.Event()

            async def client(i):
                async with websockets.connect(uri, **CLIENT_OPTIONS) as ws:
                    sent = 0
                    try:
                        while True:
                            await ws.send(f"{i}:{sent}")
                            sent += 1
                            if sent % 8 == 0:
                                # Keep the server busy without an unbounded backlog.
                                self.assertEqual(await ws.recv(), f"{i}:{sent - 8}")
                                for k in range(sent - 7, sent):
                                    self.assertEqual(await ws.recv(), f"{i}:{k}")
                            if sent == 64:
                                stop.set()
                    except websockets.ConnectionClosedOK:
                        pass
                    return ws.close_code

            async def scenario():
                tasks = [asyncio.create_task(client(i)) for i in range(50)]
                await stop.wait()
                server.proc.send_signal(signal.SIGTERM)
                return await asyncio.gather(*tasks)

            self.assertEqual(set(run(scenario())), {1001})
            self.assertEqual(server.wait(30), 0)

    def test_echo_server_sample_exits_0_and_its_clients_see_1001(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0", "--threads", "2"]) as server:
            async def scenario():
                clients = [await websockets.connect(f"ws://127.0.0.1:{server.port}/", **CLIENT_OPTIONS)
                           for _ in range(20)]
                for ws in clients:
                    await ws.send("hi")
                    self.assertEqual(await ws.recv(), "hi")
                server.proc.send_signal(signal.SIGTERM)
                codes = []
                for ws in clients:
                    with self.assertRaises(websockets.ConnectionClosedOK):
                        await ws.recv()
                    codes.append(ws.close_code)
                return codes
            self.assertEqual(run(scenario()), [1001] * 20)
            self.assertEqual(server.wait(10), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)

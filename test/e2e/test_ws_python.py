"""End-to-end tests with a real client nobody here wrote: Python `websockets` (Debian's
python3-websockets, asyncio API), against e2e_server_ws_scenarios and the websocket_echo_server
sample. Where a well-behaved client can't show a detail (exact 101 bytes, a missing close frame,
a peer that never answers), a raw socket does. Every wait has a deadline."""

import asyncio
import os
import socket
import struct
import time
import unittest

import websockets

from e2e_support import binary, server_process
from ws_raw import (CLOSE, RFC_ACCEPT, RFC_KEY, TEXT, close_frame, frame, new_tag, raw_client,
                    server_frame, stats, upgrade_request, wait_stats)

MiB = 1024 * 1024
CLIENT_OPTIONS = dict(max_size=None, ping_interval=None, compression=None, open_timeout=5,
                      close_timeout=3)


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def scenarios(*args):
    return server_process([binary("E2E_SERVER_WS_SCENARIOS"), *args])


class scenario_server_test(unittest.TestCase):
    """One single-threaded ws_scenarios server with short timers (close wait 1 s, checked
    every 100 ms)."""

    @classmethod
    def setUpClass(cls):
        cls.server = scenarios("--close-wait-ms", "1000", "--timer-ms", "100").__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def uri(self, path, tag):
        return f"ws://127.0.0.1:{self.port}{path}?tag={tag}"

    def closes(self, tag, count=1):
        return wait_stats(self.port, tag, lambda s: len(s["closes"]) >= count)["closes"]

    # -- echo --

    def test_echo_text_and_binary_of_every_length_class(self):
        sizes = [0, 125, 126, 65535, 65536, 16 * MiB]

        async def scenario():
            async with websockets.connect(self.uri("/echo", new_tag()), **CLIENT_OPTIONS) as ws:
                for n in sizes:
                    text = ("κόσμε-" * (n // 6 + 1)).encode()[:n].decode("utf-8", "ignore")
                    text += "a" * (n - len(text.encode()))        # exactly n bytes of UTF-8
                    await ws.send(text)
                    self.assertEqual(await ws.recv(), text, f"text of {n} bytes")
                    data = os.urandom(n)
                    await ws.send(data)
                    self.assertEqual(await ws.recv(), data, f"binary of {n} bytes")
        run(scenario())

    def test_fragmented_messages_come_back_fragment_by_fragment(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/echo", tag), **CLIENT_OPTIONS) as ws:
                await ws.send(["frag", "ment", "ed €", ""])
                self.assertEqual(await ws.recv(), "fragmented €")
                await ws.send([b"\x00\x01", b"", b"\x02" * 70000])
                self.assertEqual(await ws.recv(), b"\x00\x01" + b"\x02" * 70000)
        run(scenario())
        # one handler call per frame; websockets ends a message sent from an iterable with an
        # empty final continuation, so 4 + 1 and 3 + 1 frames
        self.assertEqual(stats(self.port, tag)["messages"], 9)

    def test_fragments_are_echoed_unjoined_on_the_wire(self):
        with raw_client(self.port) as c:
            c.upgrade("/echo?tag=" + new_tag())
            c.send(frame(TEXT, "he", fin=False) + frame(0x0, "llo"))
            self.assertEqual(c.read_frame_bytes(), b"\x01\x02he")
            self.assertEqual(c.read_frame_bytes(), b"\x80\x03llo")

    def test_ping_gets_a_pong_with_the_same_payload(self):
        async def scenario():
            async with websockets.connect(self.uri("/echo", new_tag()), **CLIENT_OPTIONS) as ws:
                for payload in [b"", b"ping!", bytes(range(125))]:
                    waiter = await ws.ping(payload)
                    await asyncio.wait_for(waiter, 3)   # resolved only by a pong with this payload
                await asyncio.wait_for(await ws.ping("text ping"), 3)
        run(scenario())

    # -- closing --

    def test_client_close_is_echoed_with_code_and_reason(self):
        for code, reason in [(1000, ""), (1001, "going away"), (3000, "app"), (4999, "fermé ✓")]:
            with self.subTest(code=code):
                tag = new_tag()

                async def scenario():
                    async with websockets.connect(self.uri("/echo", tag), **CLIENT_OPTIONS) as ws:
                        await ws.send("hi")
                        self.assertEqual(await ws.recv(), "hi")
                        await ws.close(code, reason)
                        self.assertEqual(ws.close_code, code)
                        self.assertEqual(ws.close_reason, reason)
                run(scenario())
                self.assertEqual(self.closes(tag), [code])

    def test_server_shutdown_gives_1000(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/shutdown-after-first", tag), **CLIENT_OPTIONS) as ws:
                await ws.send("first")
                self.assertEqual(await ws.recv(), "first")
                with self.assertRaises(websockets.ConnectionClosedOK):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1000)
                self.assertEqual(ws.close_reason, "")
                await asyncio.wait_for(ws.wait_closed(), 3)
        run(scenario())
        # after shutdown() the handler never sees a close, not even the peer's reply
        s = stats(self.port, tag)
        self.assertEqual((s["messages"], s["closes"]), (1, []))

    def test_shutdown_waits_for_the_peer_close_then_the_time_limit(self):
        # the peer answers: TCP ends at once
        with raw_client(self.port) as c:
            c.upgrade("/shutdown-after-first?tag=" + new_tag())
            c.send(frame(TEXT, "x"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")
            self.assertEqual(c.read_frame_bytes(), b"\x88\x02\x03\xe8")
            start = time.monotonic()
            c.send(frame(CLOSE, struct.pack("!H", 1000)))
            self.assertTrue(c.reads_eof(3))
            self.assertLess(time.monotonic() - start, 0.5)
        # the peer stays silent: TCP ends after read_next_http_message_timelimit (1 s) + period
        with raw_client(self.port) as c:
            c.upgrade("/shutdown-after-first?tag=" + new_tag())
            c.send(frame(TEXT, "x"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")
            self.assertEqual(c.read_frame_bytes(), b"\x88\x02\x03\xe8")
            start = time.monotonic()
            self.assertTrue(c.reads_eof(5))
            self.assertGreater(time.monotonic() - start, 0.8)
            self.assertLess(time.monotonic() - start, 2.5)

    def test_user_close_1001_bye(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/close-1001-bye", tag), **CLIENT_OPTIONS) as ws:
                await ws.send("x")
                self.assertEqual(await ws.recv(), "x")
                with self.assertRaises(websockets.ConnectionClosedOK):
                    await ws.recv()
                self.assertEqual((ws.close_code, ws.close_reason), (1001, "bye"))
        run(scenario())
        with raw_client(self.port) as c:
            c.upgrade("/close-1001-bye?tag=" + new_tag())
            c.send(frame(TEXT, "x"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")
            self.assertEqual(c.read_frame_bytes(), b"\x88\x05\x03\xe9bye")
            c.send(frame(CLOSE, struct.pack("!H", 1001)))
            self.assertTrue(c.reads_eof(3))
        self.assertEqual(stats(self.port, tag)["closes"], [])

    def test_kill_drops_the_connection_without_a_close_frame(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/kill-after-first", tag), **CLIENT_OPTIONS) as ws:
                await ws.send("x")
                with self.assertRaises(websockets.ConnectionClosedError):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1006)
        run(scenario())
        with raw_client(self.port) as c:
            c.upgrade("/kill-after-first?tag=" + new_tag())
            c.send(frame(TEXT, "x"))
            self.assertTrue(c.reads_eof(3), "kill() must end TCP with nothing sent")
        self.assertEqual(stats(self.port, tag)["closes"], [])

    def test_release_of_the_last_handle_closes_with_1000(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/release", tag), **CLIENT_OPTIONS) as ws:
                await ws.send("last")
                self.assertEqual(await ws.recv(), "last")
                with self.assertRaises(websockets.ConnectionClosedOK):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1000)
                await asyncio.wait_for(ws.wait_closed(), 3)
        run(scenario())
        with raw_client(self.port) as c:
            c.upgrade("/release?tag=" + new_tag())
            c.send(frame(TEXT, "x"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x01x")
            self.assertEqual(c.read_frame_bytes(), b"\x88\x02\x03\xe8")
            c.send(frame(CLOSE, struct.pack("!H", 1000)))
            self.assertTrue(c.reads_eof(3))
        # with no ws_t left the handler is not called again
        s = stats(self.port, tag)
        self.assertEqual((s["messages"], s["closes"]), (1, []))

    def test_an_idle_websocket_outlives_the_http_time_limits(self):
        """No idle timeout: read_next_http_message_timelimit (1 s here) only bounds the wait for
        a close reply, so a quiet connection is still open after 1.5 s."""
        tag = new_tag()
        with raw_client(self.port) as c:
            c.upgrade(f"/echo?tag={tag}")
            self.assertTrue(c.nothing_arrives(1.5), "the server sent something or closed")
            c.send(frame(TEXT, "awake"))
            self.assertEqual(c.read_frame_bytes(), b"\x81\x05awake")
        self.assertEqual(stats(self.port, tag)["messages"], 1)

    def test_client_disconnect_is_reported_as_1006(self):
        tag = new_tag()

        async def scenario():
            ws = await websockets.connect(self.uri("/echo", tag), **CLIENT_OPTIONS)
            await ws.send("x")
            self.assertEqual(await ws.recv(), "x")
            ws.transport.abort()
        run(scenario())
        self.assertEqual(self.closes(tag), [1006])

    # -- activation, threads, callbacks --

    def test_delayed_activation(self):
        async def scenario():
            start = time.monotonic()
            async with websockets.connect(self.uri("/delayed", new_tag()) + "&ms=400", **CLIENT_OPTIONS) as ws:
                self.assertEqual(await ws.recv(), "waiting")   # written before activation
                await ws.send("early")
                # activate() and the send of "active" are two separate calls from the server's
                # other thread: the echo of "early" may come between them, but never before
                # activate() (nothing is read until then).
                first = await ws.recv()
                second = await ws.recv()
                self.assertEqual(sorted([first, second]), ["active", "early"])
                self.assertGreater(time.monotonic() - start, 0.35)
        run(scenario())

    def test_sends_from_another_thread_interleave_with_echoes(self):
        n_thread, n_client = 2000, 300

        async def scenario():
            async with websockets.connect(self.uri("/from-thread", new_tag()) + f"&n={n_thread}",
                                          **CLIENT_OPTIONS) as ws:
                async def sender():
                    for i in range(n_client):
                        await ws.send(f"client {i} " + "c" * (i % 300))
                        if i % 16 == 0:
                            await asyncio.sleep(0.001)
                send_task = asyncio.create_task(sender())
                from_thread, echoes, done_seen = [], [], False
                while len(echoes) < n_client or not done_seen:
                    m = await asyncio.wait_for(ws.recv(), 10)
                    if m == "thread done":
                        self.assertEqual(len(from_thread), n_thread)
                        done_seen = True
                    elif m.startswith("thread "):
                        from_thread.append(m)
                    else:
                        echoes.append(m)
                await send_task
                self.assertEqual(from_thread, [f"thread {i}" for i in range(n_thread)])
                self.assertEqual(echoes, [f"client {i} " + "c" * (i % 300) for i in range(n_client)])
        run(scenario())

    def test_write_callback_result_is_sent_back(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri("/callback", tag), **CLIENT_OPTIONS) as ws:
                for i in range(3):
                    await ws.send(f"m{i}")
                    self.assertEqual(await ws.recv(), f"m{i}")
                    self.assertEqual(await ws.recv(), "written:0")
                await ws.close()
        run(scenario())
        # the send made after the peer's close is dropped, and its callback says so (101:
        # write_group_destroyed_passively)
        s = wait_stats(self.port, tag, lambda s: len(s["callbacks"]) >= 4)
        self.assertEqual(s["callbacks"], [0, 0, 0, 101])
        self.assertEqual(s["closes"], [1000])

    # -- upgrade overloads --

    def test_subprotocol_overload_c(self):
        async def scenario():
            async with websockets.connect(self.uri("/subprotocol", new_tag()),
                                          subprotocols=["superchat", "chat"], **CLIENT_OPTIONS) as ws:
                self.assertEqual(ws.subprotocol, "chat")
                await ws.send("x")
                self.assertEqual(await ws.recv(), "x")
        run(scenario())
        with raw_client(self.port) as c:
            response = c.upgrade("/subprotocol?tag=" + new_tag(), extra="Sec-WebSocket-Protocol: chat\r\n")
            self.assertEqual(response, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {RFC_ACCEPT}\r\nSec-WebSocket-Protocol: chat\r\n"
                             "Upgrade: websocket\r\n\r\n")

    def test_extra_fields_overload_a(self):
        async def scenario():
            async with websockets.connect(self.uri("/extra-fields", new_tag()), **CLIENT_OPTIONS) as ws:
                self.assertEqual(ws.response_headers["X-Scenario"], "extra-fields")
                await ws.send(b"\x00")
                self.assertEqual(await ws.recv(), b"\x00")
        run(scenario())
        with raw_client(self.port) as c:
            response = c.upgrade("/extra-fields?tag=" + new_tag())
            self.assertEqual(response, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {RFC_ACCEPT}\r\nX-Scenario: extra-fields\r\n"
                             "Upgrade: websocket\r\n\r\n")

    def test_default_overload_101_bytes(self):
        with raw_client(self.port) as c:
            self.assertEqual(c.upgrade("/echo?tag=" + new_tag()),
                             "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {RFC_ACCEPT}\r\nUpgrade: websocket\r\n\r\n")

    # -- handshakes that are refused --

    def test_bad_handshakes_get_http_answers(self):
        key = f"Sec-WebSocket-Key: {RFC_KEY}\r\n"
        rows = [
            ("missing key", "GET", "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Version: 13\r\n", 400),
            ("key of 15 bytes", "GET", "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n", 400),
            ("version 8", "GET", "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key +
             "Sec-WebSocket-Version: 8\r\n", 426),
            ("no version", "GET", "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key, 426),
            ("POST", "POST", "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key +
             "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n", 400),
            ("Upgrade: h2c", "GET", "HTTP/1.1", "Upgrade: h2c\r\nConnection: Upgrade\r\n" + key +
             "Sec-WebSocket-Version: 13\r\n", 400),
        ]
        for name, method, version, fields, expected in rows:
            with self.subTest(name):
                tag = new_tag()
                status, head, _ = self.http(f"{method} /echo?tag={tag} {version}\r\nHost: x\r\n{fields}\r\n")
                self.assertEqual(status, expected, head)
                if expected == 426:
                    self.assertIn("\r\nSec-WebSocket-Version: 13\r\n", head)
                s = stats(self.port, tag)
                # upgrade() returned a ws_t whose connection_id() is 0
                self.assertEqual((s["upgrades"], s["refused"]), (0, 1), name)
        # the server goes on upgrading
        self.test_default_overload_101_bytes()

    def test_websockets_client_sees_refusals(self):
        async def scenario():
            with self.assertRaises(websockets.InvalidStatusCode) as ctx:
                await websockets.connect(self.uri("/no-such-path", new_tag()), **CLIENT_OPTIONS)
            self.assertEqual(ctx.exception.status_code, 404)
        run(scenario())

    def http(self, request):
        with raw_client(self.port) as c:
            c.send(request.encode())
            return c.read_http_response()


class thread_pool_test(unittest.TestCase):
    def test_100_concurrent_clients_on_4_threads(self):
        clients, echoes = 100, 20
        tag = new_tag("pool")
        with scenarios("--threads", "4") as server:
            async def client(i):
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo?tag={tag}",
                                              **CLIENT_OPTIONS) as ws:
                    for j in range(echoes):
                        message = f"client {i} message {j} " + "x" * ((i * 37 + j) % 200)
                        await ws.send(message if j % 2 else message.encode())
                        self.assertEqual(await ws.recv(), message if j % 2 else message.encode())
                    await ws.close(1000, f"bye {i}")
                    self.assertEqual(ws.close_reason, f"bye {i}")

            async def all_clients():
                await asyncio.gather(*(client(i) for i in range(clients)))
            run(all_clients(), timeout=60)
            s = wait_stats(server.port, tag, lambda s: len(s["closes"]) >= clients)
            self.assertEqual(s["upgrades"], clients)
            self.assertEqual(s["messages"], clients * echoes)
            self.assertEqual(s["closes"], [1000] * clients)

    def test_sends_from_another_thread_on_a_pool(self):
        with scenarios("--threads", "4") as server:
            async def one(i):
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/from-thread?n=300&tag=tp",
                                              **CLIENT_OPTIONS) as ws:
                    got = []
                    for j in range(20):
                        await ws.send(f"c{j}")
                    while "thread done" not in got or sum(m.startswith("c") for m in got) < 20:
                        got.append(await asyncio.wait_for(ws.recv(), 10))
                    self.assertEqual([m for m in got if m.startswith("thread ") and m != "thread done"],
                                     [f"thread {k}" for k in range(300)])
                    self.assertEqual([m for m in got if m.startswith("c")], [f"c{j}" for j in range(20)])

            async def all_clients():
                await asyncio.gather(*(one(i) for i in range(8)))
            run(all_clients())


class write_timeout_test(unittest.TestCase):
    def test_a_peer_that_does_not_read_gets_1011_and_tcp_ends(self):
        with scenarios("--write-timeout-ms", "300", "--timer-ms", "100") as server:
            tag = new_tag("flood")
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(5)
            sock.connect(("127.0.0.1", server.port))
            try:
                sock.sendall(upgrade_request(f"/flood?tag={tag}") + frame(TEXT, "go"))
                s = wait_stats(server.port, tag, lambda s: s["closes"], timeout=5)
                self.assertEqual(s["closes"], [1011])
                # the connection is gone: reading ends in EOF or a reset, well before 64 MiB
                received, deadline = 0, time.monotonic() + 5
                try:
                    while time.monotonic() < deadline:
                        chunk = sock.recv(1 << 20)
                        if not chunk:
                            break
                        received += len(chunk)
                except ConnectionResetError:
                    pass
                self.assertLess(received, 64 * MiB)
                self.assertLess(time.monotonic(), deadline)
            finally:
                sock.close()


class echo_server_sample_test(unittest.TestCase):
    """The websocket_echo_server sample: --port 0, --max-message-size."""

    def test_echo_pong_and_message_size_limit(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0", "--max-message-size", "1000"]) as server:
            uri = f"ws://127.0.0.1:{server.port}/"

            async def scenario():
                async with websockets.connect(uri, **CLIENT_OPTIONS) as ws:
                    await ws.send("a" * 1000)
                    self.assertEqual(await ws.recv(), "a" * 1000)
                    await asyncio.wait_for(await ws.ping(b"pp"), 3)
                    await ws.send(["fr", "ag"])
                    self.assertEqual(await ws.recv(), "frag")
                async with websockets.connect(uri, **CLIENT_OPTIONS) as ws:
                    await ws.send(b"b" * 1001)
                    with self.assertRaises(websockets.ConnectionClosedError):
                        await ws.recv()
                    self.assertEqual(ws.close_code, 1009)
                async with websockets.connect(uri, **CLIENT_OPTIONS) as ws:
                    await ws.send(["c" * 600, "c" * 600])      # the limit is per message
                    with self.assertRaises(websockets.ConnectionClosedError):
                        await ws.recv()
                    self.assertEqual(ws.close_code, 1009)
            run(scenario())
            with raw_client(server.port) as c:
                c.upgrade("/")
                c.send(frame(0x2, b"", length=1001))
                self.assertEqual(c.read_frame_bytes(), close_frame(1009))
                self.assertTrue(c.reads_eof(3))
            self.assertEqual(server.stop(), 0)

    def test_16_mib_is_the_default_limit(self):
        with server_process([binary("WEBSOCKET_ECHO_SERVER"), "--port", "0"]) as server:
            with raw_client(server.port) as c:
                c.upgrade("/")
                c.send(frame(0x2, b"", length=16 * MiB + 1))
                self.assertEqual(c.read_frame_bytes(), close_frame(1009))
                self.assertTrue(c.reads_eof(3))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The websocket_chat sample: its page on /, broadcast between two real clients (Python
websockets), and the library's keepalive it turns on: a silent raw client is pinged, and is
dropped when it stops answering while the clients that answer (the websockets library does)
are kept."""
import asyncio
import http.client
import json
import unittest

import websockets

from e2e_support import binary, server_process
from ws_raw import PING, PONG, TEXT, frame, raw_client

PING_INTERVAL = 1


async def join(ws, nickname):
    """A client's first message is its nickname; the server answers with a welcome event."""
    await ws.send(nickname)
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "welcome":
        pass


async def next_text(ws):
    """The text of the next chat message, past join, leave and online events."""
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if event["type"] == "message":
            return event["text"]


class chat_sample_test(unittest.TestCase):
    def test_page_and_broadcast(self):
        args = [binary("WEBSOCKET_CHAT"), "--port", "0", "--ping-interval", str(PING_INTERVAL)]
        with server_process(args) as srv:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            conn.request("GET", "/")
            r = conn.getresponse()
            page = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertIn("new WebSocket(", page)
            self.assertIn("/chat", page)
            conn.close()

            deadline = 3 * PING_INTERVAL + 5
            raw = raw_client(srv.port, timeout=deadline)

            def two_pings_answering_the_first():
                raw.upgrade("/chat")
                self.assertEqual(raw.read_frame(), (True, PING, b""))
                raw.send(frame(PONG, b""))
                self.assertEqual(raw.read_frame(), (True, PING, b""))

            def dropped_without_a_close_frame():
                # At most the broadcast text arrives before the next round drops this client.
                texts = []
                while True:
                    try:
                        fin, opcode, payload = raw.read_frame()
                    except (EOFError, ConnectionResetError):
                        return texts
                    self.assertEqual((fin, opcode), (True, TEXT))
                    texts.append(payload)
                    self.assertLessEqual(len(texts), 1)

            async def scenario():
                uri = f"ws://127.0.0.1:{srv.port}/chat"
                async with websockets.connect(uri) as a, websockets.connect(uri) as b:
                    await join(a, "a")
                    await join(b, "b")
                    await a.send("hello from a")
                    self.assertEqual(await next_text(a), "hello from a")
                    self.assertEqual(await next_text(b), "hello from a")
                    # The raw client joined after a and b: a and b have been silent through
                    # two ping intervals too once it has seen two pings.
                    await asyncio.to_thread(two_pings_answering_the_first)
                    await b.send("still here")
                    self.assertEqual(await next_text(a), "still here")
                    self.assertEqual(await next_text(b), "still here")
                    texts = await asyncio.to_thread(dropped_without_a_close_frame)
                    self.assertIn(texts, ([], [b"still here"]))
                    await b.send("after the drop")
                    self.assertEqual(await next_text(a), "after the drop")

            with raw:
                asyncio.run(asyncio.wait_for(scenario(), 30))


if __name__ == "__main__":
    unittest.main()

"""The websocket_chat sample: its page on /, broadcast between two real clients (Python
websockets), and the server's pings answered by the client library."""
import asyncio
import http.client
import json
import os
import unittest

import websockets

from e2e_support import binary, server_process


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
        with server_process([binary("WEBSOCKET_CHAT"), "--port", "0", "--ping-interval", "1"]) as srv:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            conn.request("GET", "/")
            r = conn.getresponse()
            page = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertIn("new WebSocket(", page)
            self.assertIn("/chat", page)
            conn.close()

            async def scenario():
                uri = f"ws://127.0.0.1:{srv.port}/chat"
                async with websockets.connect(uri) as a, websockets.connect(uri) as b:
                    await join(a, "a")
                    await join(b, "b")
                    await a.send("hello from a")
                    self.assertEqual(await next_text(a), "hello from a")
                    self.assertEqual(await next_text(b), "hello from a")
                    # Two ping periods: clients that answer pings are kept.
                    await asyncio.sleep(2.5)
                    await b.send("still here")
                    self.assertEqual(await next_text(a), "still here")
            asyncio.run(asyncio.wait_for(scenario(), 30))


if __name__ == "__main__":
    unittest.main()

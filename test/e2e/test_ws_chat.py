"""The websocket_chat sample: its page on /, broadcast between two real clients (Python
websockets), and the server's pings answered by the client library."""
import asyncio
import http.client
import os
import unittest

import websockets

from e2e_support import binary, server_process


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
                    await a.send("hello from a")
                    self.assertEqual(await asyncio.wait_for(a.recv(), 5), "hello from a")
                    self.assertEqual(await asyncio.wait_for(b.recv(), 5), "hello from a")
                    # Two ping periods: clients that answer pings are kept.
                    await asyncio.sleep(2.5)
                    await b.send("still here")
                    self.assertEqual(await asyncio.wait_for(a.recv(), 5), "still here")
            asyncio.run(asyncio.wait_for(scenario(), 30))


if __name__ == "__main__":
    unittest.main()

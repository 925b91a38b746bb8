"""Close codes from a real client (Python websockets) against e2e_server_ws_scenarios: the codes
IANA registered after RFC 6455 (1012 service restart, 1013 try again later, 1014 bad gateway)
are accepted, echoed and reported to the handler as they are; an unassigned one (1016), sent
past the client's own check, gets 1002 both ways. The server goes on echoing afterwards."""

import asyncio
import struct
import unittest

import websockets
from websockets.frames import Close

from e2e_support import binary, server_process
from ws_raw import new_tag, wait_stats

CLIENT_OPTIONS = dict(ping_interval=None, compression=None, open_timeout=5, close_timeout=3)


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))


class close_codes_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_process([binary("E2E_SERVER_WS_SCENARIOS"), "--close-wait-ms", "1000",
                                     "--timer-ms", "100"]).__enter__()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def uri(self, tag):
        return f"ws://127.0.0.1:{self.port}/echo?tag={tag}"

    def handler_closes(self, tag):
        return wait_stats(self.port, tag, lambda s: len(s["closes"]) >= 1)["closes"]

    def assert_still_echoes(self):
        async def scenario():
            async with websockets.connect(self.uri(new_tag()), **CLIENT_OPTIONS) as ws:
                await ws.send("still here")
                self.assertEqual(await ws.recv(), "still here")
        run(scenario())

    def test_iana_codes_are_echoed_and_reported(self):
        for code, reason in [(1012, "service restart"), (1013, "try again later"), (1014, "bad gateway")]:
            with self.subTest(code=code):
                tag = new_tag()

                async def scenario():
                    async with websockets.connect(self.uri(tag), **CLIENT_OPTIONS) as ws:
                        await ws.send("hi")
                        self.assertEqual(await ws.recv(), "hi")
                        await ws.close(code, reason)
                        self.assertEqual((ws.close_code, ws.close_reason), (code, reason))
                run(scenario())
                self.assertEqual(self.handler_closes(tag), [code])
                self.assert_still_echoes()

    def test_unassigned_code_1016_gets_1002(self):
        tag = new_tag()

        async def scenario():
            async with websockets.connect(self.uri(tag), **CLIENT_OPTIONS) as ws:
                await ws.send("hi")
                self.assertEqual(await ws.recv(), "hi")
                # websockets refuses to send 1016 itself: the frame is written as given.
                await ws.write_close_frame(Close(1016, ""), struct.pack("!H", 1016))
                await asyncio.wait_for(ws.wait_closed(), 5)
                self.assertEqual(ws.close_code, 1002)
        run(scenario())
        self.assertEqual(self.handler_closes(tag), [1002])
        self.assert_still_echoes()


if __name__ == "__main__":
    unittest.main()

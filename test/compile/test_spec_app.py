"""Runs test/compile/spec_app (built from the spec alone) and checks what it answers."""
import http.client
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from e2e_support import server_process  # noqa: E402


class spec_app_test(unittest.TestCase):
    def test_routes_pool_and_signal(self):
        with server_process([os.environ["SPEC_APP"], "0"]) as srv:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            conn.request("GET", "/users/41")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), b"user #42")
            self.assertEqual(r.getheader("Content-Type"), "text/plain")
            self.assertRegex(r.getheader("Date"), r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")

            conn.request("POST", "/echo", body=b"payload")
            r = conn.getresponse()
            self.assertEqual((r.status, r.read()), (201, b"payload"))

            conn.request("GET", "/users/abc")
            r = conn.getresponse()
            self.assertEqual((r.status, r.getheader("Connection")), (404, "close"))
            r.read()
            conn.close()

            self.assertEqual(srv.stop(signal.SIGINT), 0)
            rest = srv.proc.stdout.read()
            self.assertIn("spec_app: cleanup", rest)


if __name__ == "__main__":
    unittest.main()

"""The harness (e2e_support.server_process) fails a test whose server misbehaves, in every
build: a non-zero exit, a sanitizer report in its output; and it keeps reading the output, so
a server that prints a lot is never blocked on a full pipe. The real sanitizer findings are
tested by test_e2e_harness_sanitizers.py."""

import os
import subprocess
import sys
import unittest

from e2e_support import server_failure
from http_support import HELLO, assert_serves, get, router_server


class harness_test(unittest.TestCase):
    def test_a_non_zero_exit_fails(self):
        with self.assertRaises(server_failure) as caught:
            with router_server("--with-faults") as server:
                with self.assertRaises(ConnectionError):
                    get(server.port, "/fault/exit")
        self.assertIn("ended with exit code 3", str(caught.exception))
        self.assertIn("exiting with 3", caught.exception.output)

    def test_a_sanitizer_report_fails_even_with_exit_code_0(self):
        with self.assertRaises(server_failure) as caught:
            with router_server("--with-faults") as server:
                self.assertEqual(get(server.port, "/fault/report")[0], 200)
                assert_serves(self, server.port)
        self.assertIn("printed a sanitizer report", str(caught.exception))
        self.assertNotIn("ended with", str(caught.exception))
        self.assertIn("runtime error: a report made up", caught.exception.output)

    def test_a_server_that_prints_a_lot_is_not_blocked(self):
        # 200000 lines (about 6 MB), far more than a pipe holds.
        with router_server("--with-faults") as server:
            status, _, body = get(server.port, "/fault/flood?n=200000", timeout=30)
            self.assertEqual((status, body), (200, b"fault done"))
            server.wait_for_output(r"^flood line 199999 of 200000$")
            assert_serves(self, server.port)
        self.assertEqual(server.proc.returncode, 0)

    def test_a_server_left_running_is_stopped_and_checked_at_exit(self):
        script = ("import sys; from http_support import get, router_server\n"
                  "server = router_server('--with-faults').__enter__()\n"
                  "assert get(server.port, '/fault/report')[0] == 200\n"
                  "print('left running, pid', server.proc.pid, flush=True)\n"
                  "sys.exit(0)\n")
        done = subprocess.run([sys.executable, "-c", script], cwd=os.path.dirname(os.path.abspath(__file__)),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("a server left running by the tests", done.stderr)
        self.assertIn("printed a sanitizer report", done.stderr)
        pid = int(done.stdout.split()[-1])
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

if __name__ == "__main__":
    unittest.main()

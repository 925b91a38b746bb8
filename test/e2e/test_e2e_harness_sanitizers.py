"""In a sanitizer build (E2E_SANITIZE, from RESTINIO_SANITIZE), a real leak, signed overflow
or data race in a server fails the test that ran it, through e2e_support.server_process alone.
Skipped (and counted as skipped) in a build without sanitizers."""

import os
import unittest

from e2e_support import server_failure
from http_support import get, router_server

SANITIZERS = set(filter(None, os.environ.get("E2E_SANITIZE", "").split(",")))

# fault route -> (the sanitizer that finds it, what that sanitizer prints)
FAULTS = {
    "/fault/leak": ("address", "ERROR: LeakSanitizer"),
    "/fault/ub": ("undefined", "runtime error: signed integer overflow"),
    "/fault/race": ("thread", "WARNING: ThreadSanitizer: data race"),
}


class sanitizer_findings_test(unittest.TestCase):
    def test_each_finding_of_this_build_fails(self):
        faults = {path: expected for path, (sanitizer, expected) in FAULTS.items() if sanitizer in SANITIZERS}
        if not faults:
            self.skipTest(f"no sanitizer for these faults in this build (E2E_SANITIZE={sorted(SANITIZERS)})")
        for path, expected in faults.items():
            with self.subTest(path=path):
                with self.assertRaises(server_failure) as caught:
                    with router_server("--with-faults") as server:
                        try:
                            get(server.port, path)
                        except ConnectionError:
                            pass        # a sanitizer may end the server before it answers
                self.assertIn(expected, caught.exception.output)


if __name__ == "__main__":
    unittest.main()

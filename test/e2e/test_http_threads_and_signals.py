"""A thread-pool server (4 threads) serving 50 concurrent clients correctly, and SIGTERM /
SIGINT ending restinio::run() cleanly: cleanup_func runs and the process exits with 0, also
with connections open and requests still unanswered."""

import concurrent.futures
import http.client
import signal
import time
import unittest

from e2e_support import TIME_SCALE
from http_support import connect, read_responses, router_server

CLIENTS = 50


def one_client(port, i):
    """Three requests on one keep-alive connection; returns what went wrong, or None."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        expected = [
            ("GET", f"/chat/{i}", None, f"chat id={i}".encode()),
            ("POST", "/echo", f"body of client {i}".encode() * (i + 1), f"body of client {i}".encode() * (i + 1)),
            ("GET", f"/slow?ms=50&tag={i}", None, f"slow 50 {i}".encode()),
        ]
        connection_ids = set()
        for method, path, body, want in expected:
            conn.request(method, path, body=body)
            r = conn.getresponse()
            got = r.read()
            if r.status != 200 or got != want:
                return f"client {i} {path}: {r.status} {got[:80]!r}"
            connection_ids.add(r.getheader("X-Connection-Id"))
        if len(connection_ids) != 1:
            return f"client {i}: more than one connection {connection_ids}"
        return None
    except Exception as ex:        # reported, not raised, so every client is accounted for
        return f"client {i}: {ex!r}"
    finally:
        conn.close()


class thread_pool_test(unittest.TestCase):
    def test_fifty_concurrent_clients_on_four_threads(self):
        with router_server("--threads", 4, "--max-pipelined", 2) as server:
            with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                futures = [pool.submit(one_client, server.port, i) for i in range(CLIENTS)]
                done, not_done = concurrent.futures.wait(futures, timeout=30)
            self.assertEqual(len(not_done), 0)
            errors = [f.result() for f in done if f.result() is not None]
            self.assertEqual(errors, [])
            self.assertTrue(server.alive())
            self.assertEqual(server.stop(signal.SIGTERM), 0)

    def test_pipelined_burst_on_the_pool(self):
        with router_server("--threads", 4, "--max-pipelined", 16) as server:
            requests = b"".join(b"GET /slow?ms=%d&tag=%d HTTP/1.1\r\nHost: t\r\n\r\n" % ((i * 7) % 40, i) for i in range(16))
            with connect(server.port) as s:
                s.sendall(requests)
                responses = read_responses(s, 16)
            self.assertEqual([r.body for r in responses],
                             [b"slow %d %d" % ((i * 7) % 40, i) for i in range(16)])


class signals_test(unittest.TestCase):
    def stop_and_check(self, server, sig):
        start = time.monotonic()
        code = server.stop(sig, timeout=10)
        self.assertLess(time.monotonic() - start, 5 * TIME_SCALE)
        self.assertEqual(code, 0, server.text())
        self.assertEqual(server.text().count("cleanup_func called"), 1)
        # The slow answer was dropped with its request: nothing answers after the cleanup.
        self.assertNotIn("answering", server.text())

    def test_sigterm_runs_cleanup_and_exits_0(self):
        with router_server() as server:
            self.stop_and_check(server, signal.SIGTERM)

    def test_sigint_runs_cleanup_and_exits_0(self):
        with router_server() as server:
            self.stop_and_check(server, signal.SIGINT)

    def test_signal_with_open_connections_and_pending_requests(self):
        with router_server() as server:
            idle = connect(server.port)
            waiting = connect(server.port)
            slow = connect(server.port)
            try:
                waiting.sendall(b"GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
                slow.sendall(b"GET /slow?ms=3000&tag=pending HTTP/1.1\r\nHost: t\r\n\r\n")
                idle.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                read_responses(idle, 1)
                server.wait_for_output(r"^slow 3000 pending scheduled$")
                self.stop_and_check(server, signal.SIGTERM)
            finally:
                for s in (idle, waiting, slow):
                    s.close()

    def test_thread_pool_server_on_sigint(self):
        with router_server("--threads", 4) as server:
            with connect(server.port) as s:
                s.sendall(b"GET /slow?ms=3000&tag=pending HTTP/1.1\r\nHost: t\r\n\r\n")
                server.wait_for_output(r"^slow 3000 pending scheduled$")
                self.stop_and_check(server, signal.SIGINT)


if __name__ == "__main__":
    unittest.main()

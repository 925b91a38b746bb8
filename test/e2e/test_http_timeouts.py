"""Timeouts, with read_next_http_message_timelimit = handle_request_timeout =
write_http_response_timelimit = 400 ms and a
100 ms check period: timeouts are polled, so each fires between the limit and the limit plus
one period (plus scheduling slack here). Every timeout closes the connection silently."""

import time
import unittest

from e2e_support import TIME_SCALE
from http_support import (shared_router_server, HELLO, assert_serves, connect, read_responses, read_until_close,
                          router_server)

LIMIT = 0.4
PERIOD = 0.1
SLACK = 0.35 * TIME_SCALE       # loaded CI machines, sanitizer builds


class timeouts_test(shared_router_server, unittest.TestCase):
    @classmethod
    def server_switches(cls):
        return ("--read-timeout-ms", int(LIMIT * 1000), "--handle-timeout-ms", int(LIMIT * 1000),
                "--write-timeout-ms", int(LIMIT * 1000), "--check-period-ms", int(PERIOD * 1000))

    def assert_closed_silently_in_window(self, sock, start):
        data, closed, _ = read_until_close(sock, timeout=LIMIT + PERIOD + 3.0)
        elapsed = time.monotonic() - start
        self.assertTrue(closed, "the connection was not closed")
        self.assertEqual(data, b"")
        # The deadline starts a little before `start` on the server's side.
        self.assertGreaterEqual(elapsed, LIMIT - 0.05)
        self.assertLess(elapsed, LIMIT + PERIOD + SLACK)

    def test_idle_keep_alive_connection_is_closed(self):
        with connect(self.port) as s:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            [r] = read_responses(s, 1)
            self.assertEqual(r.body, HELLO)
            self.assert_closed_silently_in_window(s, time.monotonic())

    def test_connection_without_a_request_is_closed(self):
        start = time.monotonic()
        with connect(self.port) as s:
            self.assert_closed_silently_in_window(s, start)

    def test_request_left_incomplete_is_closed(self):
        start = time.monotonic()
        with connect(self.port) as s:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
            self.assert_closed_silently_in_window(s, start)

    def test_busy_connection_is_not_closed(self):
        with connect(self.port) as s:
            ids = set()
            for i in range(5):      # 5 x 0.2 s: longer than the limit in total
                s.sendall(b"GET /chat/%d HTTP/1.1\r\nHost: t\r\n\r\n" % i)
                [r] = read_responses(s, 1)
                self.assertEqual(r.body, b"chat id=%d" % i)
                ids.add(r.header("X-Connection-Id"))
                time.sleep(LIMIT / 2)
            self.assertEqual(len(ids), 1)

    def test_handler_that_never_answers(self):
        with connect(self.port) as s:
            start = time.monotonic()
            s.sendall(b"GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assert_closed_silently_in_window(s, start)

    def test_answer_later_than_the_timeout_is_dropped(self):
        with connect(self.port) as s:
            start = time.monotonic()
            s.sendall(b"GET /slow?ms=700&tag=late HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assert_closed_silently_in_window(s, start)
        # The late answer, given to a closed connection, harms nobody (tearDown: the server
        # still serves).
        self.server.wait_for_output(r"^slow 700 late answering$")

    def test_answer_within_the_timeout(self):
        with connect(self.port) as s:
            s.sendall(b"GET /slow?ms=200&tag=ok HTTP/1.1\r\nHost: t\r\n\r\n")
            [r] = read_responses(s, 1)
            self.assertEqual(r.body, b"slow 200 ok")

    def test_slow_answer_then_idle_timeout(self):
        # The idle limit counts from the last response, not from the request.
        with connect(self.port) as s:
            s.sendall(b"GET /slow?ms=300&tag=x HTTP/1.1\r\nHost: t\r\n\r\n")
            [r] = read_responses(s, 1)
            self.assertEqual(r.body, b"slow 300 x")
            self.assert_closed_silently_in_window(s, time.monotonic())

    def test_response_not_read_in_time_is_cut_short(self):
        # 64 MB cannot sit in the socket buffers: the write stalls, and the write time limit
        # ends the connection before the rest is written.
        size = 64 * 1000 * 1000
        with connect(self.port) as s:
            s.sendall(b"GET /big?n=%d HTTP/1.1\r\nHost: t\r\n\r\n" % size)
            time.sleep(LIMIT + PERIOD + SLACK + 0.2)
            data, closed, _ = read_until_close(s, timeout=10.0)
        self.assertTrue(closed)
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK\r\n"), data[:100])
        self.assertLess(len(data), size)


if __name__ == "__main__":
    unittest.main()

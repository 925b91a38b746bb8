"""Pipelining: several requests on one connection before any response, answered in request
order (also when the handler answers them out of order, from another thread), with
max_pipelined_requests = 1 (one at a time) and 4 (concurrently). Also sequential reuse with
curl --next."""

import re
import time
import unittest

from http_support import (shared_router_server, HELLO, assert_serves, connect, curl, exchange, parse_all, parse_response,
                          read_responses, read_until_close, refusal, router_server)

THREE_REQUESTS = (b"GET /slow?ms=200&tag=a HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz")

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

# Answered in the reverse order of arrival by the handler.
REVERSED = (b"GET /slow?ms=300&tag=first HTTP/1.1\r\nHost: t\r\n\r\n"
            b"GET /slow?ms=200&tag=second HTTP/1.1\r\nHost: t\r\n\r\n"
            b"GET /slow?ms=100&tag=third HTTP/1.1\r\nHost: t\r\n\r\n")


class pipelining_test_base(shared_router_server):
    max_pipelined = None
    switches = ()

    check_serves = False

    @classmethod
    def server_switches(cls):
        return ( "--max-pipelined", cls.max_pipelined ) + tuple( cls.switches )

    def check_three(self, responses):
        self.assertEqual([r.status for r in responses], [200, 200, 200])
        self.assertEqual([r.body for r in responses], [b"slow 200 a", HELLO, b"xyz"])
        self.assertEqual([r.header("X-Request-Id") for r in responses], ["0", "1", "2"])
        self.assertEqual(len({r.header("X-Connection-Id") for r in responses}), 1)

    def test_three_requests_in_one_write(self):
        with connect(self.port) as s:
            s.sendall(THREE_REQUESTS)
            self.check_three(read_responses(s, 3))
            # The connection is still good for more.
            s.sendall(b"GET /chat/5 HTTP/1.1\r\nHost: t\r\n\r\n")
            [r] = read_responses(s, 1)
            self.assertEqual(r.body, b"chat id=5")

    def test_three_requests_byte_by_byte(self):
        with connect(self.port) as s:
            for i in range(len(THREE_REQUESTS)):
                s.sendall(THREE_REQUESTS[i:i + 1])
            self.check_three(read_responses(s, 3))

    def reversed_round_trip(self):
        """Sends REVERSED, checks the order of the answers, returns the seconds it took and
        the server's events for these requests in the order they happened ("first scheduled",
        ..., "third answering")."""
        seen = len(self.server.output)
        start = time.monotonic()
        with connect(self.port) as s:
            s.sendall(REVERSED)
            responses = read_responses(s, 3)
        elapsed = time.monotonic() - start
        self.assertEqual([r.body for r in responses],
                         [b"slow 300 first", b"slow 200 second", b"slow 100 third"])
        # Each was printed before its response was sent, but may not be collected yet.
        for tag in ("first", "second", "third"):
            self.server.wait_for_output(rf"^slow \d+ {tag} answering$", since=seen)
        event = re.compile(r"^slow \d+ (first|second|third) (scheduled|answering)$")
        events = [" ".join(m.groups()) for m in map(event.match, self.server.output[seen:]) if m]
        return elapsed, events

    def test_last_request_with_close(self):
        data = exchange(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /chat/9 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second = parse_all(data)
        self.assertEqual((first.body, second.body), (HELLO, b"chat id=9"))
        self.assertEqual(second.header("Connection"), "close")

    def test_bad_request_after_good_ones(self):
        data = exchange(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /slow?ms=50&tag=b HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"BAD REQUEST\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second, third = parse_all(data)
        self.assertEqual((first.body, second.body), (HELLO, b"slow 50 b"))
        self.assertEqual(third.raw, refusal(b"400 Bad Request"))
        assert_serves(self, self.port)

    def test_rejected_in_the_middle(self):
        data = exchange(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /reject HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second = parse_all(data)
        self.assertEqual(first.body, HELLO)
        self.assertEqual(second.raw, refusal(b"501 Not Implemented"))

    def test_nothing_after_a_close_response(self):
        # RFC 9112 9.6: the handler's "Connection: close" answer is the last one written,
        # whatever was pipelined behind it.
        data = exchange(self.port, b"GET /slow?ms=100&tag=c HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /close HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                   b"GET /reject HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second = parse_all(data)
        self.assertEqual((first.body, second.body), (b"slow 100 c", b"bye"))
        self.assertEqual(second.header("Connection"), "close")

    def test_expect_100_continue_behind_pipelined_requests(self):
        # The 100 (Continue) owed to the second request comes after the first response,
        # never in the middle of it, and never not at all.
        for first in (b"GET /slow?ms=150&tag=e HTTP/1.1\r\nHost: t\r\n\r\n", b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"):
            with self.subTest(first=first), connect(self.port) as s:
                s.sendall(first + b"PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                data = b""
                deadline = time.monotonic() + 3
                while True:
                    r, end = parse_response(data)
                    if r is not None and len(data) >= end + len(CONTINUE):
                        break
                    s.settimeout(max(0.01, deadline - time.monotonic()))
                    chunk = s.recv(65536)      # times out if the 100 never comes
                    self.assertNotEqual(chunk, b"", "closed instead of 100 Continue")
                    data += chunk
                self.assertEqual(r.status, 200)
                self.assertEqual(data[end:], CONTINUE)
                s.sendall(b"hello")
                [echo] = read_responses(s, 1)
                self.assertEqual(echo.body, b"hello")

    def test_curl_next_reuses_one_connection(self):
        base = f"http://127.0.0.1:{self.port}"
        p = curl("-v", f"{base}/hello",
                 "--next", "-v", f"{base}/chat/7",
                 "--next", "-v", "--data-binary", "payload", f"{base}/echo")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, HELLO + b"chat id=7" + b"payload")
        self.assertEqual(p.stderr.count(b"Re-using existing connection"), 2)
        self.assertEqual(p.stderr.count(b"Connected to"), 1)


class max_pipelined_1_test(pipelining_test_base, unittest.TestCase):
    max_pipelined = 1

    def test_order_kept_when_answers_come_in_reverse(self):
        # One request at a time: 300 + 200 + 100 ms one after the other.
        elapsed, events = self.reversed_round_trip()
        self.assertEqual(events, ["first scheduled", "first answering", "second scheduled", "second answering",
                                  "third scheduled", "third answering"])
        self.assertGreaterEqual(elapsed, 0.6)

    def test_next_request_is_not_read_before_the_response(self):
        # With one request in flight the server does not even parse the next one: a bad
        # request behind a slow one is only refused after the slow answer.
        with connect(self.port) as s:
            s.sendall(b"GET /slow?ms=300&tag=s HTTP/1.1\r\nHost: t\r\n\r\nBAD\r\n\r\n")
            data, closed, elapsed = read_until_close(s)
        self.assertTrue(closed)
        first, second = parse_all(data)
        self.assertEqual(first.body, b"slow 300 s")
        self.assertEqual(second.raw, refusal(b"400 Bad Request"))
        self.assertGreaterEqual(elapsed, 0.3)


class max_pipelined_4_test(pipelining_test_base, unittest.TestCase):
    max_pipelined = 4

    def test_order_kept_when_answers_come_in_reverse(self):
        # All three are handed to the handler before any is answered: the slowest one sets
        # the pace, and the answers wait for it.
        _, events = self.reversed_round_trip()
        self.assertEqual(events, ["first scheduled", "second scheduled", "third scheduled",
                                  "third answering", "second answering", "first answering"])

    def test_more_requests_than_the_limit(self):
        requests = b"".join(b"GET /slow?ms=%d&tag=%d HTTP/1.1\r\nHost: t\r\n\r\n" % (100 - 10 * i, i) for i in range(10))
        with connect(self.port) as s:
            s.sendall(requests)
            responses = read_responses(s, 10)
        self.assertEqual([r.body for r in responses],
                         [b"slow %d %d" % (100 - 10 * i, i) for i in range(10)])
        self.assertEqual([r.header("X-Request-Id") for r in responses], [str(i) for i in range(10)])


class tiny_read_buffer_test(pipelining_test_base, unittest.TestCase):
    """Every request spans many 7-byte socket reads."""
    max_pipelined = 2
    switches = ("--buffer-size", 7)

    def test_order_kept_when_answers_come_in_reverse(self):
        self.reversed_round_trip()

    def test_chunked_upload_through_a_tiny_buffer(self):
        with connect(self.port) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n"
                      b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            first, second = read_responses(s, 2)
        self.assertEqual(first.body, b"abc0123456789abcdef")
        self.assertEqual(first.header("X-Chunks"), "2")
        self.assertEqual(first.header("X-Trailers"), "X-T=1;")
        self.assertEqual(second.body, HELLO)


if __name__ == "__main__":
    unittest.main()

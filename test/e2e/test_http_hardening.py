"""HTTP hardening: a client cannot write header lines or responses of its own through a handler
that copies its text into a response, the header section is capped by its size on the wire and
by a field count, and request targets and Host follow RFC 9112 3.2. Every bad case gets its
exact status (or, for a handler's misuse, never reaches the wire), and the server keeps serving."""

import unittest

from http_support import (HELLO, assert_serves, connect, exchange, parse_all, read_until_close,
                          refusal, shared_router_server)

# A client's text, percent-encoded in a query, that would add a Set-Cookie line and a whole
# second response if it went into a header or a status line as it is.
INJECTION = (b"x%0D%0ASet-Cookie%3A%20session%3Dstolen%0D%0A%0D%0A"
             b"HTTP%2F1.1%20200%20OK%0D%0AContent-Length%3A%200%0D%0A%0D%0A")


class header_injection_test(shared_router_server, unittest.TestCase):
    def reflect(self, query):
        return exchange(self.port, b"GET /reflect?" + query + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")

    def assert_refused_by_the_handler(self, data):
        # The handler's call threw exception_t. The connection then either closes at once or
        # answers 500 (whichever the handler-exception policy is): never the client's lines.
        self.assertNotIn(b"Set-Cookie", data)
        self.assertNotIn(b"stolen", data)
        if data:
            [r] = parse_all(data)
            self.assertEqual(r.status, 500)

    def test_plain_text_is_reflected(self):
        [r] = parse_all(self.reflect(b"header=plain%20text&reason=Fine%20Indeed"))
        self.assertEqual((r.status, r.reason, r.header("X-Reflected"), r.body),
                         (200, "Fine Indeed", "plain text", b"reflected"))

    def test_crlf_in_a_header_value_never_reaches_the_wire(self):
        self.assert_refused_by_the_handler(self.reflect(b"header=" + INJECTION))

    def test_bare_lf_cr_and_nul_in_a_header_value(self):
        for value in (b"a%0ASet-Cookie%3A%20session%3Dstolen", b"a%0DSet-Cookie%3A%20session%3Dstolen",
                      b"a%00Set-Cookie%3A%20session%3Dstolen"):
            with self.subTest(value=value):
                self.assert_refused_by_the_handler(self.reflect(b"header=" + value))
                assert_serves(self, self.port)

    def test_crlf_in_a_reason_phrase_never_reaches_the_wire(self):
        self.assert_refused_by_the_handler(self.reflect(b"reason=" + INJECTION))

    def test_the_next_request_on_a_new_connection_is_served(self):
        self.assert_refused_by_the_handler(self.reflect(b"header=" + INJECTION))
        data = exchange(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        [r] = parse_all(data)
        self.assertEqual((r.status, r.body), (200, HELLO))


if __name__ == "__main__":
    unittest.main()

"""HTTP hardening: a client cannot write header lines or responses of its own through a handler
that copies its text into a response, the header section is capped by its size on the wire and
by a field count, and request targets and Host follow RFC 9112 3.2. Every bad case gets its
exact status (or, for a handler's misuse, never reaches the wire), and the server keeps serving."""

import unittest

from http_support import (HELLO, REFUSAL_501, assert_serves, curl, exchange, parse_all, refusal,
                          send_and_read, shared_router_server)

R400 = refusal(b"400 Bad Request")
R431 = refusal(b"431 Request Header Fields Too Large")

# A client's text, percent-encoded in a query, that would add a Set-Cookie line and a whole
# second response if it went into a header or a status line as it is.
INJECTION = (b"x%0D%0ASet-Cookie%3A%20session%3Dstolen%0D%0A%0D%0A"
             b"HTTP%2F1.1%20200%20OK%0D%0AContent-Length%3A%200%0D%0A%0D%0A")


class header_injection_test(shared_router_server, unittest.TestCase):
    def reflect(self, query):
        return exchange(self.port, b"GET /reflect?" + query + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")

    def assert_refused_by_the_handler(self, data):
        # The handler's call threw exception_t: the answer is exactly the 500 for a throwing
        # handler, never the client's lines.
        self.assertEqual(data, b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n"
                               b"Content-Length: 0\r\n\r\n")

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


def with_fields(count):
    """A GET with Host and count - 1 more fields."""
    return (b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(count - 2)) + b"\r\n")


class default_limits_test(shared_router_server, unittest.TestCase):
    def test_a_million_empty_fields_431(self):
        # 3.8 MiB on the wire; each field used to cost ~70 bytes of memory for its 4.
        self.assertEqual(send_and_read(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n" + b"a:\r\n" * 1000000 + b"\r\n"),
                         R431)

    def test_a_long_path_gets_414_not_a_crash(self):
        # 300,000 digits for /chat/:id(\d+) are over the default max_url_size (8 KiB).
        self.assertEqual(send_and_read(self.port, b"GET /chat/" + b"1" * 300000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"),
                         refusal(b"414 URI Too Long"))
        target = b"/chat/" + b"1" * (8 * 1024 - len(b"/chat/"))
        [r] = parse_all(send_and_read(self.port, b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
        self.assertEqual(r.status, 200)
        assert_serves(self, self.port)

    def test_100_fields_are_served_101_are_not(self):
        [r] = parse_all(send_and_read(self.port, with_fields(100)))
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertEqual(send_and_read(self.port, with_fields(101)), R431)


class long_path_test(shared_router_server, unittest.TestCase):
    """With max_url_size raised to 1 MiB, paths far longer than std::regex survived are routed."""
    @classmethod
    def server_switches(cls):
        return ("--max-url", 1024 * 1024)

    def test_300000_digits_are_served(self):
        # std::regex's recursion overflowed the stack here (SIGSEGV; under ASan from 8 KiB on).
        digits = b"1" * 300000
        [r] = parse_all(send_and_read(self.port, b"GET /chat/" + digits + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                                      timeout=30.0))
        self.assertEqual((r.status, r.body), (200, b"chat id=" + digits))

    def test_three_parameters_in_one_segment_on_100000_dashes(self):
        # std::regex backtracks over every way to split the dashes: ~6 s for 400 of them.
        dashes = b"-" * 100000
        [r] = parse_all(send_and_read(self.port, b"GET /split/" + dashes + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                                      timeout=30.0))
        self.assertEqual((r.status, r.body), (200, b"a=- b=- c=" + dashes[4:]))
        [r] = parse_all(send_and_read(self.port, b"GET /split/" + dashes + b"/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                                      timeout=30.0))
        self.assertEqual(r.status, 404)


class no_field_count_limit_test(shared_router_server, unittest.TestCase):
    @classmethod
    def server_switches(cls):
        return ("--max-field-count", 10 ** 12)

    def test_empty_fields_count_on_the_wire_431(self):
        # 270,000 fields of 4 bytes: 1.03 MiB on the wire, 270,000 name bytes.
        self.assertEqual(send_and_read(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n" + b"a:\r\n" * 270000 + b"\r\n"),
                         R431)

    def test_whitespace_counts_on_the_wire_431(self):
        self.assertEqual(send_and_read(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\nX:" + b" " * (1024 * 1024) + b"v\r\n\r\n"),
                         R431)

    def test_just_under_the_cap_is_served(self):
        request = with_fields(2) + b""
        pad = 1024 * 1024 - len(request) - len(b"X-Pad: \r\n")
        request = request[:-2] + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"
        self.assertEqual(len(request), 1024 * 1024)
        [r] = parse_all(send_and_read(self.port, request))
        self.assertEqual((r.status, r.body), (200, HELLO))


class host_and_target_test(shared_router_server, unittest.TestCase):
    def check(self, request, expected):
        self.assertEqual(send_and_read(self.port, request), expected)

    def served(self, request):
        [r] = parse_all(send_and_read(self.port, request))
        return r.status, r.body

    def test_http_1_1_without_host_400(self):
        self.check(b"GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n", R400)

    def test_two_host_fields_400(self):
        self.check(b"GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", R400)
        self.check(b"GET /hello HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", R400)

    def test_an_invalid_host_400(self):
        self.check(b"GET /hello HTTP/1.1\r\nHost: evil.example/x\r\nConnection: close\r\n\r\n", R400)

    def test_http_1_0_without_host_is_served(self):
        self.assertEqual(self.served(b"GET /hello HTTP/1.0\r\n\r\n"), (200, HELLO))
        p = curl("-si", "--http1.0", "-H", "Host:", f"http://127.0.0.1:{self.port}/hello")
        self.assertTrue(p.stdout.startswith(b"HTTP/1.0 200 OK\r\n") or p.stdout.startswith(b"HTTP/1.1 200 OK\r\n"),
                        p.stdout)
        self.assertTrue(p.stdout.endswith(b"\r\n\r\n" + HELLO), p.stdout)

    def test_absolute_form_is_routed_by_its_path(self):
        self.assertEqual(self.served(b"GET http://example.com/chat/7?x=1 HTTP/1.1\r\nHost: other\r\n"
                                     b"Connection: close\r\n\r\n"), (200, b"chat id=7"))

    def test_absolute_form_through_curl_as_a_proxy(self):
        # curl talks to a proxy in absolute-form: "GET http://example.com/chat/3 HTTP/1.1".
        p = curl("-s", "-x", f"http://127.0.0.1:{self.port}", "http://example.com/chat/3")
        self.assertEqual(p.stdout, b"chat id=3")

    def test_absolute_form_of_another_scheme_400(self):
        self.check(b"GET ftp://example.com/hello HTTP/1.1\r\nHost: example.com\r\n\r\n", R400)

    def test_options_asterisk_reaches_the_handler(self):
        self.assertEqual(self.served(b"OPTIONS * HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
                         (404, b"no route for OPTIONS *\n"))

    def test_asterisk_for_get_400(self):
        self.check(b"GET * HTTP/1.1\r\nHost: t\r\n\r\n", R400)

    def test_connect_501(self):
        self.check(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", REFUSAL_501)

    def test_a_request_without_host_in_a_pipeline(self):
        # The one before it is answered, it gets 400, and nothing after it is taken.
        data = send_and_read(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                        b"GET /hello HTTP/1.1\r\n\r\n"
                                        b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second = parse_all(data)
        self.assertEqual((first.status, first.body), (200, HELLO))
        self.assertEqual(second.raw, R400)

if __name__ == "__main__":
    unittest.main()

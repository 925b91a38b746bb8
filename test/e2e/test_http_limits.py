"""Bad and oversized input: every case gets its exact status (414, 431, 413, 400), then the
connection is closed, and a fresh connection is still served. Uses a server with small
incoming_http_msg_limits and one with none (where only the 1 MiB header cap applies)."""

import unittest

from http_support import (shared_router_server, assert_serves, connect, curl, parse_all, read_until_close, refusal,
                          router_server, send_and_read)

R400 = refusal(b"400 Bad Request")
R413 = refusal(b"413 Payload Too Large")
R414 = refusal(b"414 URI Too Long")
R431 = refusal(b"431 Request Header Fields Too Large")


class limits_test_base(shared_router_server):
    switches = ()

    @classmethod
    def server_switches(cls):
        return cls.switches

    def check(self, request, expected):
        self.assertEqual(send_and_read(self.port, request), expected)


class small_limits_test(limits_test_base, unittest.TestCase):
    switches = ("--max-url", 100, "--max-field-name", 64, "--max-field-value", 1024,
                "--max-field-count", 50, "--max-body", 65536)

    def test_url_at_the_limit_is_served(self):
        path = "/chat/" + "1" * 94
        self.assertEqual(len(path), 100)
        data = send_and_read(self.port, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        [r] = parse_all(data)
        self.assertEqual((r.status, r.body), (200, b"chat id=" + b"1" * 94))

    def test_url_too_long_414(self):
        self.check(b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: t\r\n\r\n", R414)

    def test_url_too_long_414_with_curl(self):
        p = curl("-i", f"http://127.0.0.1:{self.port}/" + "x" * 5000)
        self.assertEqual(p.stdout, R414)

    def test_field_value_too_long_431(self):
        self.check(b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + b"v" * 1025 + b"\r\n\r\n", R431)

    def test_field_name_too_long_431(self):
        self.check(b"GET /hello HTTP/1.1\r\nHost: t\r\nX-" + b"n" * 63 + b": 1\r\n\r\n", R431)

    def test_too_many_fields_431(self):
        fields = b"".join(b"X-F%d: %d\r\n" % (i, i) for i in range(51))
        self.check(b"GET /hello HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n", R431)

    def test_header_flood_431(self):
        fields = b"".join(b"X-Flood-%d: value\r\n" % i for i in range(5000))
        self.check(b"GET /hello HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n", R431)

    def test_oversized_headers_with_curl(self):
        p = curl("-i", "-H", "X-Big: " + "v" * 2000, f"http://127.0.0.1:{self.port}/hello")
        self.assertEqual(p.stdout, R431)

    def test_declared_body_over_the_limit_413(self):
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 65537\r\n\r\n" + b"b" * 65537, R413)

    def test_413_instead_of_100_continue(self):
        # The declared length is refused at once: no 100 (Continue), no waiting for the body.
        with connect(self.port) as s:
            s.sendall(b"PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n")
            data, closed, _ = read_until_close(s)
        self.assertTrue(closed)
        self.assertEqual(data, R413)

    def test_body_at_the_limit_is_served(self):
        data = send_and_read(self.port, b"POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                        b"Content-Length: 65536\r\n\r\n" + b"b" * 65536)
        [r] = parse_all(data)
        self.assertEqual((r.status, len(r.body)), (200, 65536))

    def test_chunked_body_over_the_limit_413(self):
        chunk = b"8000\r\n" + b"c" * 0x8000 + b"\r\n"
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 3 + b"0\r\n\r\n", R413)

    def test_body_over_the_limit_with_curl(self):
        p = curl("-i", "--data-binary", "@-", f"http://127.0.0.1:{self.port}/echo", input=b"z" * 100000)
        self.assertEqual(p.stdout, R413)

    def test_limit_after_a_good_pipelined_request(self):
        data = send_and_read(self.port, b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /" + b"a" * 200 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        first, second = parse_all(data)
        self.assertEqual(first.status, 200)
        self.assertEqual(second.raw, R414)


class no_limits_test(limits_test_base, unittest.TestCase):
    # The field count is limited by default; lifted here so that only the 1 MiB cap applies.
    switches = ("--max-field-count", 10 ** 12)

    def test_malformed_request_line_400(self):
        for request in (b"HELLO\r\n\r\n", b"GET / HTTP/1.1 extra\r\n\r\n", b"GET / HTTP/x.y\r\n\r\n",
                        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"):
            with self.subTest(request=request):
                self.check(request, R400)

    def test_bad_chunk_size_400(self):
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", R400)

    def test_bad_content_length_400(self):
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\nx", R400)
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", R400)

    def test_whitespace_before_colon_400(self):
        self.check(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length : 3\r\n\r\nabc", R400)

    def test_header_section_cap_431(self):
        # No limits are set, yet a header section over 1 MiB is refused.
        fields = b"".join(b"X-Flood-%06d: 0123456789abcdef\r\n" % i for i in range(40000))
        self.assertGreater(len(fields), 1024 * 1024)
        self.check(b"GET /hello HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n", R431)

    def test_huge_url_431(self):
        self.check(b"GET /" + b"u" * (1024 * 1024 + 10) + b" HTTP/1.1\r\nHost: t\r\n\r\n", R431)

    def test_many_bad_connections_in_a_row(self):
        for i in range(20):
            self.check(b"BAD%d\r\n\r\n" % i, R400)


if __name__ == "__main__":
    unittest.main()

"""HTTP/1.1 basics against the router test server, with curl, http.client and raw sockets:
exact response bytes, keep-alive, route parameters, the non-matched handler, rejected requests
(501), a throwing handler, the three response builders, asynchronous answers, uploads (plain,
chunked, with trailers), HTTP/1.0 and Expect: 100-continue."""

import http.client
import os
import socket
import tempfile
import time
import unittest

from http_support import (HELLO, REFUSAL_501, assert_serves, connect, curl, exchange, get,
                          parse_all, read_responses, read_until_close, router_server)


class http_basics_test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = router_server().__enter__()
        cls.port = cls.server.port
        cls.base = f"http://127.0.0.1:{cls.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server died")

    def test_hello_exact_bytes(self):
        with connect(self.port) as s:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            [r] = read_responses(s, 1)
            conn_id = r.header("X-Connection-Id")
            self.assertEqual(r.raw,
                             b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 13\r\n"
                             b"X-Connection-Id: " + conn_id.encode() + b"\r\nX-Request-Id: 0\r\n"
                             b"Content-Type: text/plain\r\n\r\nHello, World!")

    def test_keep_alive_http_client_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            seen = []
            for path in ("/hello", "/chat/1", "/hello"):
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                self.assertEqual(r.status, 200)
                seen.append((r.getheader("X-Connection-Id"), r.getheader("X-Request-Id"), body))
                sock = conn.sock
                self.assertIsNotNone(sock, "http.client closed the connection")
            self.assertEqual(len({c for c, _, _ in seen}), 1, seen)
            self.assertEqual([i for _, i, _ in seen], ["0", "1", "2"])
            self.assertEqual([b for _, _, b in seen], [HELLO, b"chat id=1", HELLO])
        finally:
            conn.close()

    def test_keep_alive_curl_reuses_the_connection(self):
        p = curl("-v", f"{self.base}/hello", f"{self.base}/chat/77")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, HELLO + b"chat id=77")
        self.assertIn(b"Re-using existing connection", p.stderr)
        self.assertEqual(p.stderr.count(b"Connected to"), 1)

    def test_route_parameters(self):
        for chat_id in ("0", "42", "1234567890"):
            status, _, body = get(self.port, f"/chat/{chat_id}")
            self.assertEqual((status, body), (200, f"chat id={chat_id}".encode()))
        # (\d+) does not match letters: the non-matched handler answers.
        status, _, body = get(self.port, "/chat/abc")
        self.assertEqual((status, body), (404, b"no route for GET /chat/abc\n"))

    def test_unmatched_route_404_keeps_the_connection(self):
        with connect(self.port) as s:
            s.sendall(b"DELETE /nowhere?x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            first, second = read_responses(s, 2)
        self.assertEqual(first.status, 404)
        self.assertEqual(first.reason, "Not Found")
        self.assertEqual(first.header("Connection"), "keep-alive")
        self.assertEqual(first.header("Content-Type"), "text/plain")
        self.assertEqual(first.body, b"no route for DELETE /nowhere\n")
        self.assertEqual(second.body, HELLO)
        self.assertEqual(first.header("X-Connection-Id"), second.header("X-Connection-Id"))

    def test_rejected_gets_exact_501_and_close(self):
        data = exchange(self.port, b"GET /reject HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(data, REFUSAL_501)
        # A request pipelined behind it is never answered.
        data = exchange(self.port, b"GET /reject HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(data, REFUSAL_501)
        assert_serves(self, self.port)

    def test_curl_sees_501(self):
        p = curl("-i", f"{self.base}/reject")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, REFUSAL_501)

    def test_handler_exception_answers_500_and_keeps_the_connection(self):
        with connect(self.port) as s:
            s.sendall(b"GET /throw HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            failed, hello = read_responses(s, 2)
        self.assertEqual(failed.raw, b"HTTP/1.1 500 Internal Server Error\r\nConnection: keep-alive\r\n"
                                     b"Content-Length: 0\r\n\r\n")
        self.assertEqual((hello.status, hello.body), (200, HELLO))
        p = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", f"{self.base}/throw")
        self.assertEqual((p.returncode, p.stdout), (0, b"500"), p.stderr)
        assert_serves(self, self.port)

    def test_handler_exception_with_connection_close_answers_500_and_closes(self):
        data = exchange(self.port, b"GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(data, b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n"
                               b"Content-Length: 0\r\n\r\n")
        assert_serves(self, self.port)

    def test_handler_exception_after_a_started_response_closes_after_it(self):
        # The response cannot be completed: what was flushed goes out, then the connection
        # closes (no last chunk), and the request pipelined behind it is not answered.
        data = exchange(self.port, b"GET /throw-after-flush HTTP/1.1\r\nHost: x\r\n\r\n"
                                   b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK\r\n"), data)
        self.assertTrue(data.endswith(b"\r\n\r\n6\r\nfirst\n\r\n"), data)
        assert_serves(self, self.port)

    def test_chunked_response_exact_bytes(self):
        with connect(self.port) as s:
            s.sendall(b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
            [r] = read_responses(s, 1)
        conn_id = r.header("X-Connection-Id").encode()
        self.assertEqual(r.raw,
                         b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
                         b"X-Connection-Id: " + conn_id + b"\r\nX-Request-Id: 0\r\n\r\n"
                         b"6\r\nfirst\n\r\n7\r\nsecond\n\r\n6\r\nthird\n\r\n0\r\n\r\n")
        p = curl(f"{self.base}/chunked")
        self.assertEqual(p.stdout, b"first\nsecond\nthird\n")

    def test_user_controlled_response(self):
        with connect(self.port) as s:
            s.sendall(b"GET /user HTTP/1.1\r\nHost: x\r\n\r\n")
            [r] = read_responses(s, 1)
        self.assertTrue(r.raw.startswith(b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 11\r\n"))
        self.assertEqual(r.body, b"hello world")

    def test_connection_close_from_the_handler(self):
        data = exchange(self.port, b"GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        [r] = parse_all(data)
        self.assertEqual(r.header("Connection"), "close")
        self.assertEqual(r.body, b"bye")

    def test_half_closed_client_still_gets_what_is_owed(self):
        with connect(self.port) as s:
            s.sendall(b"GET /slow?ms=150&tag=h HTTP/1.1\r\nHost: t\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
            data, closed, _ = read_until_close(s)
        self.assertTrue(closed)
        [r] = parse_all(data)
        self.assertEqual(r.body, b"slow 150 h")

    def test_answer_from_another_thread_later(self):
        start = time.monotonic()
        status, headers, body = get(self.port, "/slow?ms=250&tag=late")
        elapsed = time.monotonic() - start
        self.assertEqual((status, body), (200, b"slow 250 late"))
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 3.0)

    def test_large_response(self):
        status, headers, body = get(self.port, "/big?n=3000000")
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 3000000)
        self.assertEqual(body[:28], b"abcdefghijklmnopqrstuvwxyzab")
        self.assertEqual(body, bytes(ord("a") + i % 26 for i in range(3000000)))

    def _upload(self, *curl_args, size=300000):
        body = os.urandom(size)
        with tempfile.NamedTemporaryFile() as f:
            f.write(body)
            f.flush()
            p = curl("-v", "-D", "-", "-o", f.name + ".out", "--data-binary", f"@{f.name}",
                     *curl_args, f"{self.base}/echo")
            try:
                with open(f.name + ".out", "rb") as out:
                    echoed = out.read()
            finally:
                os.unlink(f.name + ".out")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(echoed), len(body))
        self.assertTrue(echoed == body, "the body came back changed")
        return p

    def test_upload_with_content_length(self):
        p = self._upload()
        self.assertIn(b"Content-Length: 300000", p.stderr)
        self.assertIn(b"X-Chunks: none", p.stdout)

    def test_chunked_upload_with_curl(self):
        p = self._upload("-H", "Transfer-Encoding: chunked")
        self.assertIn(b"> Transfer-Encoding: chunked", p.stderr)
        chunks = [l for l in p.stdout.split(b"\r\n") if l.startswith(b"X-Chunks: ")]
        self.assertEqual(len(chunks), 1)
        self.assertGreaterEqual(int(chunks[0].split(b": ")[1]), 1)

    def test_chunked_upload_with_trailers(self):
        with connect(self.port) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n"
                      b"0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n")
            [r] = read_responses(s, 1)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"Wikipedia in \r\n\r\nchunks.")
        self.assertEqual(r.header("X-Chunks"), "3")
        self.assertEqual(r.header("X-Trailers"), "X-Checksum=42;X-Other=y;")

    def test_expect_100_continue_from_curl(self):
        # curl asks with Expect: 100-continue for bodies over 1 MiB.
        p = self._upload(size=3 * 1024 * 1024)
        self.assertIn(b"> Expect: 100-continue", p.stderr)
        self.assertIn(b"< HTTP/1.1 100 Continue", p.stderr)

    def test_expect_100_continue_raw(self):
        with connect(self.port) as s:
            s.sendall(b"PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            s.settimeout(5)
            interim = b""
            while not interim.endswith(b"\r\n\r\n"):
                chunk = s.recv(1)
                self.assertNotEqual(chunk, b"", "closed before 100 Continue")
                interim += chunk
            self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(b"hello")
            [r] = read_responses(s, 1)
        self.assertEqual((r.status, r.body), (200, b"hello"))

    def test_http10_closes_after_the_response(self):
        data = exchange(self.port, b"GET /hello HTTP/1.0\r\n\r\n")
        [r] = parse_all(data)
        self.assertEqual(r.header("Connection"), "close")
        self.assertEqual(r.body, HELLO)

        p = curl("-v", "--http1.0", f"{self.base}/hello", f"{self.base}/hello")
        self.assertEqual(p.stdout, HELLO + HELLO)
        self.assertEqual(p.stderr.count(b"Connected to"), 2)
        self.assertIn(b"< Connection: close", p.stderr)

    def test_http10_keep_alive_stays_open(self):
        with connect(self.port) as s:
            s.sendall(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            [first] = read_responses(s, 1)
            self.assertEqual(first.header("Connection"), "keep-alive")
            s.sendall(b"POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi")
            [second] = read_responses(s, 1)
            self.assertEqual(second.body, b"hi")
            self.assertEqual(second.header("X-Http-Version"), "1.0")
            self.assertEqual(second.header("X-Keep-Alive"), "keep-alive")
            self.assertEqual(first.header("X-Connection-Id"), second.header("X-Connection-Id"))
            # Without keep-alive the next one closes.
            s.sendall(b"GET /hello HTTP/1.0\r\n\r\n")
            data, closed, _ = read_until_close(s)
            self.assertTrue(closed)
            self.assertEqual(parse_all(data)[0].header("Connection"), "close")

        p = curl("-v", "--http1.0", "-H", "Connection: keep-alive", f"{self.base}/hello", f"{self.base}/hello")
        self.assertEqual(p.stdout, HELLO + HELLO)
        self.assertIn(b"Re-using existing connection", p.stderr)

    def test_upgrade_request_answered_with_http_closes(self):
        # The router answers an upgrade request like any other; should_keep_alive() is false.
        data = exchange(self.port, b"GET /hello HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
        [r] = parse_all(data)
        self.assertEqual(r.header("Connection"), "close")
        self.assertEqual(r.body, HELLO)

    def test_head_and_query_do_not_change_routing(self):
        status, _, body = get(self.port, "/hello?x=1#frag")
        self.assertEqual((status, body), (200, HELLO))
        status, _, body = get(self.port, "/hello", method="POST", body=b"x")
        self.assertEqual((status, body), (404, b"no route for POST /hello\n"))


if __name__ == "__main__":
    unittest.main()

"""The accept loop out of descriptors: a server with 4 concurrent accepts and a small
RLIMIT_NOFILE (servers/http_accept_server.cpp) is driven into EMFILE by held connections. Every
accept slot must keep retrying while the descriptors are gone (each logs its own failures), and
once the held connections go, the server must serve a burst of new connections again."""

import re
import socket
import threading
import unittest

from e2e_support import binary, server_process
from http_support import connect, read_responses

ACCEPTS = 4
MAX_OPEN_FILES = 64
HELD_CONNECTIONS = 2 * MAX_OPEN_FILES      # more than the server can hold
BURST = 32
FAILURE_LINE = re.compile(r"^ERROR: accept failed on slot (\d+): ")
HELLO_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class logged_server(server_process):
    """server_process that keeps reading the server's lines after the port line, counting the
    failed accepts of each slot."""

    def __enter__(self):
        super().__enter__()
        self.lock = threading.Condition()
        self.failures = {}          # slot -> how many failed accepts it logged
        self.reader = threading.Thread(target=self.read_lines, daemon=True)
        self.reader.start()
        return self

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self.reader.join(10)
            self.proc.stdout.close()

    def read_lines(self):
        for line in self.proc.stdout:
            m = FAILURE_LINE.match(line)
            with self.lock:
                self.output.append(line)
                if m:
                    slot = int(m.group(1))
                    self.failures[slot] = self.failures.get(slot, 0) + 1
                    self.lock.notify_all()

    def wait_failures(self, each_slot_at_least, timeout):
        """True once every slot has logged `each_slot_at_least` failed accepts."""
        def enough():
            return all(self.failures.get(s, 0) >= each_slot_at_least for s in range(ACCEPTS))
        with self.lock:
            return self.lock.wait_for(enough, timeout)

    def failure_counts(self):
        with self.lock:
            return dict(self.failures)


def accept_server(threads):
    return logged_server([binary("E2E_SERVER_HTTP_ACCEPT_SERVER"), "--port", "0",
                          "--threads", str(threads), "--concurrent-accepts", str(ACCEPTS),
                          "--max-open-files", str(MAX_OPEN_FILES)])


class accept_out_of_descriptors_test(unittest.TestCase):

    def check_recovers_on_every_slot(self, threads):
        with accept_server(threads) as server:
            held = [socket.create_connection(("127.0.0.1", server.port), timeout=5)
                    for _ in range(HELD_CONNECTIONS)]
            try:
                # A slot that retries after its 100 ms pause logs again: three failures of every
                # slot mean each kept its own retry going through two pauses.
                self.assertTrue(server.wait_failures(3, timeout=10),
                                f"failed accepts per slot: {server.failure_counts()}")
            finally:
                for s in held:
                    s.close()

            burst = [connect(server.port, timeout=10) for _ in range(BURST)]
            try:
                for s in burst:
                    s.sendall(HELLO_REQUEST)
                for i, s in enumerate(burst):
                    [r] = read_responses(s, 1, timeout=10)
                    self.assertEqual((r.status, r.body, r.header("Content-Length")),
                                     (200, b"Hello, World!", "13"), f"connection {i}")
            finally:
                for s in burst:
                    s.close()
            self.assertTrue(server.alive())
            self.assertEqual(server.stop(), 0)

    def test_every_slot_recovers_on_one_thread(self):
        self.check_recovers_on_every_slot(threads=1)

    def test_every_slot_recovers_on_a_pool(self):
        self.check_recovers_on_every_slot(threads=2)


if __name__ == "__main__":
    unittest.main()

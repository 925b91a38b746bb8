"""Shared helpers for the end-to-end tests: start a server binary on an ephemeral port on
127.0.0.1, wait until it listens, and stop it. Standard library only.

Every server is held to the same bar, whoever starts it: its whole output (stdout and stderr)
is collected all the time it runs, it must stop on a signal with exit code 0, and its output
must hold no sanitizer report. A server a test leaves running is stopped and checked when the
Python process ends."""

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

# What AddressSanitizer, LeakSanitizer, UBSan and ThreadSanitizer print when they find
# something, whether or not the build makes them end the process.
SANITIZER_REPORT = re.compile(r"ERROR: (?:Address|Leak|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer"
                              r"|: runtime error: ")

# Sanitizer builds run several times slower: timeouts that wait for a server scale with this.
TIME_SCALE = float(os.environ.get("E2E_TIME_SCALE", "1"))


def binary(env_name):
    path = os.environ.get(env_name)
    if not path or not os.path.exists(path):
        raise RuntimeError(f"{env_name} is not set to a built binary (run the tests through ctest)")
    return path


class server_failure(AssertionError):
    """A server that did not start, did not stop, exited non-zero or reported a sanitizer
    finding. `output` is everything it printed."""

    def __init__(self, message, output):
        super().__init__(f"{message}\n----- server output -----\n{output}----- end of server output -----")
        self.output = output


class server_process:
    """Runs `args` (a server that prints its port on a line matching `:PORT/` or `port=PORT`)
    and waits until it accepts connections. Use as a context manager: leaving it stops the
    server (SIGTERM) and fails unless the server exited 0 without a sanitizer report.

    `output` is the list of lines the server printed so far (stderr merged in). `proc.stdout`
    reads the lines after the port line, as the pipe itself did before the output was
    collected: read() waits for the end of the output."""

    def __init__(self, args, port_pattern=r"(?::|port[= ])(\d{2,5})\b", startup_timeout=10.0):
        self.args = [str(a) for a in args]
        self.port_pattern = re.compile(port_pattern)
        self.startup_timeout = startup_timeout * TIME_SCALE
        self.proc = None
        self.port = None
        self.output = []
        self._changed = threading.Condition()
        self._output_ended = False
        self._reader = None
        self._checked = False

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, errors="replace", bufsize=1)
        pipe = self.proc.stdout
        self._reader = threading.Thread(target=self._collect, args=(pipe,), daemon=True)
        self._reader.start()
        _started.append(self)
        try:
            deadline = time.monotonic() + self.startup_timeout
            port_line = self._wait_for_port(deadline)
            try:
                wait_listening(self.port, deadline)
            except RuntimeError as error:
                raise server_failure(str(error), self.text()) from None
        except BaseException:
            self._stop_after_failed_start()
            raise
        self.proc.stdout = _unread_output(self, port_line + 1)
        return self

    def __exit__(self, *exc):
        self.stop()
        self.check()
        return False

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends `sig` (unless the server has exited already), waits for the exit and for the
        end of its output, and returns the exit code. A server still running after `timeout`
        seconds is killed, and that fails."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout=10.0):
        """Waits for a server told to stop some other way (a request, a signal the test sent)
        to exit, and for the end of its output; returns the exit code. A server still running
        after `timeout` seconds is killed, and that fails."""
        try:
            self.proc.wait(timeout * TIME_SCALE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._join_reader()
            self._checked = True
            raise server_failure(f"{self.args[0]} did not exit within {timeout * TIME_SCALE:g} s; killed",
                                 self.text()) from None
        self._join_reader()
        return self.proc.returncode

    def check(self):
        """Fails unless the stopped server exited with 0 and printed no sanitizer report."""
        self._checked = True
        code = self.proc.returncode
        problems = []
        if code != 0:
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
            problems.append(f"ended with {how}")
        if SANITIZER_REPORT.search(self.text()):
            problems.append("printed a sanitizer report")
        if problems:
            raise server_failure(f"{self.args[0]} {' and '.join(problems)}", self.text())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def text(self):
        """Everything the server printed so far."""
        with self._changed:
            return "".join(self.output)

    def wait_for_output(self, pattern, timeout=10.0, since=0):
        """Waits until a line of the output (from line `since` on, a len(output) taken
        earlier) matches `pattern`; returns the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout * TIME_SCALE
        seen = since
        with self._changed:
            while True:
                for line in self.output[seen:]:
                    m = regex.search(line)
                    if m:
                        return m
                seen = len(self.output)
                left = deadline - time.monotonic()
                if self._output_ended or left <= 0:
                    raise server_failure(f"{self.args[0]} printed no line matching {pattern!r}",
                                         "".join(self.output))
                self._changed.wait(left)

    def _collect(self, pipe):
        for line in pipe:
            with self._changed:
                self.output.append(line)
                self._changed.notify_all()
        pipe.close()
        with self._changed:
            self._output_ended = True
            self._changed.notify_all()

    def _wait_for_port(self, deadline):
        with self._changed:
            seen = 0
            while True:
                for index in range(seen, len(self.output)):
                    m = self.port_pattern.search(self.output[index])
                    if m:
                        self.port = int(m.group(1))
                        return index
                seen = len(self.output)
                if self._output_ended:
                    raise server_failure(f"{self.args} exited before listening", "".join(self.output))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise server_failure(f"{self.args} reported no port within {self.startup_timeout:g} s",
                                         "".join(self.output))
                self._changed.wait(left)

    def _stop_after_failed_start(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._join_reader()
        self._checked = True

    def _join_reader(self):
        # The output ends when the server exits, unless a child of it holds the pipe.
        self._reader.join(5.0)


class _unread_output:
    """The server's output after a given line, read like a text file over a pipe."""

    def __init__(self, server, first_line):
        self._server = server
        self._next = first_line

    def readline(self):
        with self._server._changed:
            while self._next >= len(self._server.output) and not self._server._output_ended:
                self._server._changed.wait()
            if self._next >= len(self._server.output):
                return ""
            self._next += 1
            return self._server.output[self._next - 1]

    def read(self):
        with self._server._changed:
            while not self._server._output_ended:
                self._server._changed.wait()
            rest = "".join(self._server.output[self._next:])
            self._next = len(self._server.output)
            return rest

    def __iter__(self):
        return iter(self.readline, "")

    def close(self):
        pass


_started = []


@atexit.register
def _stop_servers_left_running():
    """Stops and checks every server a test started and never stopped or checked; a failure
    here ends the process with exit code 1 whatever the tests reported."""
    failed = False
    for server in _started:
        if server._checked:
            continue
        try:
            server.stop()
            server.check()
        except server_failure as failure:
            print(f"a server left running by the tests: {failure}", file=sys.stderr, flush=True)
            failed = True
    if failed:
        os._exit(1)


def wait_listening(port, deadline, host="127.0.0.1"):
    """Polls until `host:port` accepts a connection (the port is printed right after bind(),
    before listen()); fails at `deadline`."""
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")

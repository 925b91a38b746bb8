"""Shared helpers for the end-to-end tests: start a server binary on an ephemeral port on
127.0.0.1, wait until it listens, and stop it. Standard library only."""

import os
import re
import signal
import socket
import subprocess
import time


def binary(env_name):
    path = os.environ.get(env_name)
    if not path or not os.path.exists(path):
        raise RuntimeError(f"{env_name} is not set to a built binary (run the tests through ctest)")
    return path


class server_process:
    """Runs `args` (a server that prints its port on a line matching `:PORT/` or `port=PORT`)
    and waits until it accepts connections. Use as a context manager."""

    def __init__(self, args, port_pattern=r"(?::|port[= ])(\d{2,5})\b", startup_timeout=10.0):
        self.args = args
        self.port_pattern = re.compile(port_pattern)
        self.startup_timeout = startup_timeout
        self.proc = None
        self.port = None
        self.output = []

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server exited before listening: {self.args} -> {self.output}")
            self.output.append(line)
            m = self.port_pattern.search(line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            raise RuntimeError(f"server did not report a port: {self.output}")
        wait_listening(self.port, deadline)
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends `sig` and returns the exit code (kills after `timeout`)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


def wait_listening(port, deadline, host="127.0.0.1"):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")

"""TLS for the end-to-end tests: a test CA and a server certificate for 127.0.0.1 and
localhost, made with the openssl command at test time (no key is kept in the source tree),
and the client contexts that trust that CA only."""

import atexit
import os
import shutil
import ssl
import subprocess
import tempfile

_files = {}


def test_certificates():
    """{'ca': path, 'cert': path, 'key': path}: made once per process, removed at its end."""
    if not _files:
        work = tempfile.mkdtemp(prefix="restinio-tls-")
        atexit.register(shutil.rmtree, work, True)

        def openssl(*args):
            subprocess.run(["openssl", *args], cwd=work, check=True, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=restinio e2e test CA")
        openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        with open(os.path.join(work, "san.cnf"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.cnf")
        _files.update(ca=os.path.join(work, "ca.pem"), cert=os.path.join(work, "server.pem"),
                      key=os.path.join(work, "server.key"))
    return dict(_files)


def server_args():
    """The arguments that make a test server or the echo sample serve TLS."""
    files = test_certificates()
    return ["--tls-cert", files["cert"], "--tls-key", files["key"]]


def client_context(version=None):
    """A client context that trusts the test CA alone; `version` pins TLS 1.2 or 1.3."""
    context = ssl.create_default_context(cafile=test_certificates()["ca"])
    if version is not None:
        context.minimum_version = version
        context.maximum_version = version
    return context

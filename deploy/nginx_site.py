"""nginx in front of the registry on this machine: the production example filled in for loopback.

``make cluster-test`` (tests/cluster/) and ``make bench`` run ``deploy/nginx/registry.conf`` as it
is, its ``__NAME__`` placeholders filled with loopback ports, a throw-away certificate and a
cache directory of their own, inside a minimal main configuration that keeps every file nginx
writes in one working directory.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "registry.conf"
PLACEHOLDER = re.compile(r"__[A-Z_]+__")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port):
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def site_configuration(values):
    """The production example with its placeholders filled; every one must be."""
    site = SITE.read_text()
    for name, value in values.items():
        site = site.replace(f"__{name}__", value)
    unfilled = PLACEHOLDER.findall("\n".join(line for line in site.splitlines() if not line.lstrip().startswith("#")))
    if unfilled:
        raise ValueError(f"placeholders of {SITE.relative_to(ROOT)} left unfilled: {sorted(set(unfilled))}")
    return site


class Nginx:
    """nginx on loopback in front of ``app_servers`` (host:port, two lines of the example's upstream).

    Use as a context manager; ``https_port`` and ``http_port`` are free ports unless given.
    """

    def __init__(self, workdir, app_servers, static_root, https_port=None, http_port=None):
        self.workdir = Path(workdir)
        self.app_servers = list(app_servers)
        self.static_root = static_root
        self.https_port, self.http_port = https_port or free_port(), http_port or free_port()
        self.process = None

    def __enter__(self):
        executable = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(executable).exists():
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        certificate, key = self.workdir / "tls.crt", self.workdir / "tls.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
            + ["-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
        )
        cache, temp = self.workdir / "nginx-cache", self.workdir / "nginx-temp"
        cache.mkdir(exist_ok=True)
        temp.mkdir(exist_ok=True)
        server_a, server_b = (self.app_servers * 2)[:2]
        site = site_configuration(
            {
                "SERVER_NAME": "localhost",
                "HTTPS_PORT": f"127.0.0.1:{self.https_port}",
                "HTTP_PORT": f"127.0.0.1:{self.http_port}",
                "TLS_CERTIFICATE": str(certificate),
                "TLS_KEY": str(key),
                "APP_SERVER_A": server_a,
                "APP_SERVER_B": server_b,
                "STATIC_ROOT": str(self.static_root),
                "CACHE_DIR": str(cache),
            }
        )
        (self.workdir / "registry.conf").write_text(site)
        (self.workdir / "nginx.conf").write_text(
            "daemon off;\n"
            "worker_processes 1;\n"
            + ("user root;\n" if os.geteuid() == 0 else "")
            + f"pid {self.workdir / 'nginx.pid'};\n"
            f"error_log {self.workdir / 'nginx-error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            # Load generators keep their connections open for the whole run: nginx's default of
            # 1,000 requests a connection would close them under it, which wrk counts as errors.
            "  keepalive_requests 100000;\n"
            f"  access_log {self.workdir / 'nginx-access.log'};\n"
            f"  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;\n"
            f"  include {self.workdir / 'registry.conf'};\n"
            "}\n"
        )
        log = open(self.workdir / "nginx.log", "w")  # noqa: SIM115 (kept open while nginx runs)
        self.process = subprocess.Popen(
            [executable, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not port_open(self.https_port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"nginx did not start; see {self.workdir / 'nginx.log'}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

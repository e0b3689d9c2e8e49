"""The production rehearsal: nginx in front of two application servers, PostgreSQL and Redis.

Everything runs on this machine, on loopback ports of its own, and is stopped at the end:

- PostgreSQL: the server that DATABASE_URL names, in a database of the rehearsal's own;
- Redis (``redis-server``) as the shared cache of both application servers;
- two gunicorn servers, A and B, standing for two hosts (each its own port and processes);
- nginx with ``deploy/nginx/registry.conf``, filled in with these ports and a throw-away
  certificate: load balancer, TLS terminator and shared cache.

Run with ``make cluster-test`` (``.ci/run`` does); the rest of the suite leaves these tests out.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection, HTTPSConnection
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from deploy.nginx_site import Nginx, free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
STAFF = ("rehearsal-staff", secrets.token_urlsafe(16))
START_SECONDS = 30


def wait_until(ready, what, process=None, seconds=START_SECONDS):
    deadline = time.monotonic() + seconds
    while not ready():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds} s")
        time.sleep(0.2)


class Browser:
    """A client with its own cookies, for one address (nginx over HTTPS, or one server directly)."""

    def __init__(self, port, https=False, forwarded_https=False):
        self.port, self.https, self.forwarded_https = port, https, forwarded_https
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        if self.https:
            connection = HTTPSConnection("localhost", self.port, timeout=30, context=ssl._create_unverified_context())
        else:
            connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        headers["Host"] = "localhost"
        if self.forwarded_https:  # as nginx tells a server the visitor came over HTTPS
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://localhost:{self.origin_port}/"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, content

    origin_port = None

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post(self, path, data):
        return self.request("POST", path, body=data)


class Cluster:
    def __init__(self, workdir, database_url):
        self.workdir = workdir
        self.database_url = database_url
        self.processes = {}
        self.ports = {name: free_port() for name in ("redis", "a", "b", "https", "http")}
        self.nginx = None

    # -- set-up -----------------------------------------------------------------------------

    def environment(self):
        return {
            **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": self.database_url,
            "DJANGO_CACHE_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://localhost:{self.ports['https']}",
            "DJANGO_DB_CONN_MAX_AGE": "60",
        }

    def start(self):
        self.secret_key = secrets.token_urlsafe(50)
        self.start_redis()
        self.prepare_database()
        for name in ("a", "b"):
            self.start_server(name)
        self.start_nginx()

    def spawn(self, name, command, **options):
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 (kept open while it runs)
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **options)
        return self.processes[name]

    def start_redis(self):
        port = self.ports["redis"]
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        process = self.spawn(
            "redis",
            [
                redis,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
        )
        wait_until(lambda: port_open(port), "redis-server", process)

    def manage(self, *args, env=None):
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.environment(), **(env or {})},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def prepare_database(self):
        self.manage("migrate", "--noinput")
        self.manage("loaddata", "fixtures/registry.json")
        self.manage("collectstatic", "--noinput")
        self.manage(
            "createsuperuser",
            "--noinput",
            "--username",
            STAFF[0],
            "--email",
            "staff@example.org",
            env={"DJANGO_SUPERUSER_PASSWORD": STAFF[1]},
        )

    def start_server(self, name):
        port = self.ports[name]
        process = self.spawn(
            f"server-{name}",
            [
                GUNICORN,
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--graceful-timeout=10",
                f"--access-logfile={self.workdir / f'access-{name}.log'}",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.environment(),
        )
        wait_until(lambda: self.server_answers(port), f"application server {name.upper()}", process)

    def server_answers(self, port):
        with contextlib.suppress(OSError):
            return Browser(port, forwarded_https=True).get("/healthz")[0] == 200
        return False

    def start_nginx(self):
        servers = [f"127.0.0.1:{self.ports[name]}" for name in ("a", "b")]
        self.nginx = Nginx(
            self.workdir, servers, ROOT / "staticfiles", https_port=self.ports["https"], http_port=self.ports["http"]
        ).__enter__()

    # -- use --------------------------------------------------------------------------------

    def through_nginx(self):
        browser = Browser(self.ports["https"], https=True)
        browser.origin_port = self.ports["https"]
        return browser

    def server(self, name):
        """A client talking straight to server A or B, as nginx does (X-Forwarded-Proto: https)."""
        browser = Browser(self.ports[name], forwarded_https=True)
        browser.origin_port = self.ports["https"]
        return browser

    def stop_server(self, name):
        process = self.processes.pop(f"server-{name}")
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: in-flight requests finish
        process.wait(30)

    def requests_served(self, name):
        return len((self.workdir / f"access-{name}.log").read_text().splitlines())

    def stop(self):
        if self.nginx is not None:
            self.nginx.__exit__()
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        pytest.fail("The rehearsal needs DATABASE_URL naming a PostgreSQL server (make cluster-test sets it).")
    import psycopg

    name = f"registry_rehearsal_{os.getpid()}"
    parts = urllib.parse.urlsplit(base)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    workdir = tmp_path_factory.mktemp("cluster")
    rehearsal = Cluster(workdir, urllib.parse.urlunsplit(parts._replace(path=f"/{name}")))
    try:
        rehearsal.start()
        yield rehearsal
    finally:
        rehearsal.stop()
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wrk_json(output):
    return json.loads(output.strip().splitlines()[-1])

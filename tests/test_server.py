"""The shipped gunicorn.conf.py, run for real on a loopback port.

Slow clients cannot exhaust the server: two clients reading the full activity CSV at about
200 KB/s each receive the whole file, although reading it takes them several times the
worker timeout, while /healthz keeps answering at once. And gunicorn trusts no X-Forwarded-*
header unless told to, so a plain-HTTP request claiming HTTPS is still redirected.

Each test is bounded in time: every network operation has a timeout, and the downloads must
finish within a deadline. The CSV is made larger than what the operating system buffers for a
connection on loopback (a few megabytes), or the server would hand the whole file to the kernel
at once and a slow reader would hold nothing.
"""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WORKER_TIMEOUT = 4  # seconds: each download below takes several times this
READ_RATE = 200_000  # bytes per second and client
CSV_SIZE = 5_000_000  # bytes, above the kernel's buffers of a loopback connection
DEADLINE = 90  # seconds for the whole slow-client run

# Many activities with long summaries: the full CSV weighs about CSV_SIZE.
MAKE_ACTIVITIES = f"""
from partnerships.models import CooperationActivity
summary = "Cooperation on border management and training. " * 100
CooperationActivity.objects.bulk_create(
    CooperationActivity(title=f"Activity {{n}}", slug=f"activity-{{n}}", summary=summary, is_published=True)
    for n in range({CSV_SIZE} // len(summary) + 1)
)
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path, **overrides):
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    return {
        **clean,
        "DJANGO_SECRET_KEY": "loopback-test-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        "DJANGO_DOWNLOADS_DIR": str(tmp_path / "downloads"),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        **overrides,
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A SQLite registry in a file the server can open, with a full CSV of about CSV_SIZE."""
    tmp_path = tmp_path_factory.mktemp("server")
    env = environment(tmp_path)
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", MAKE_ACTIVITIES]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120)
    return tmp_path


@contextmanager
def gunicorn(tmp_path, **env):
    """gunicorn with the shipped gunicorn.conf.py (read from the checkout) on a free loopback port."""
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [GUNICORN],
            cwd=ROOT,
            env=environment(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", **env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(port, "/healthz")[0] in (200, 301):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def request(port, path, headers=None, timeout=5, receive_buffer=None, rate=None):
    """GET ``path``: (status, headers, body). With ``rate``, the body is read at about that many
    bytes per second, through a small receive buffer, as a slow client reads it."""
    with socket.socket() as connection:
        if receive_buffer:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        connection.settimeout(timeout)
        connection.connect(("127.0.0.1", port))
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = bytearray()
        chunk = max(1, (rate or 0) // 10) if rate else 65536
        while data := connection.recv(chunk):
            received += data
            if rate:
                time.sleep(len(data) / rate)
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answer_headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), answer_headers, body


def test_slow_downloads_neither_starve_the_server_nor_are_cut(database):
    with gunicorn(database, GUNICORN_WORKERS="2", GUNICORN_THREADS="4", GUNICORN_TIMEOUT=str(WORKER_TIMEOUT)) as port:
        status, _, reference = request(port, "/cooperation/?format=csv", timeout=30)  # written to its file
        assert status == 200 and len(reference) > CSV_SIZE

        downloads = []

        def slow_client():
            downloads.append(
                request(port, "/cooperation/?format=csv", timeout=20, receive_buffer=16384, rate=READ_RATE)
            )

        clients = [threading.Thread(target=slow_client) for _ in range(2)]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(0.5)  # both downloads under way
        health = []
        while any(client.is_alive() for client in clients):
            assert time.monotonic() - started < DEADLINE, "the downloads did not finish in time"
            asked = time.monotonic()
            status, _, answer = request(port, "/healthz", timeout=5)
            health.append(time.monotonic() - asked)
            assert (status, answer) == (200, b"ok\n")
            time.sleep(0.25)
        for client in clients:
            client.join()

    elapsed = time.monotonic() - started
    assert elapsed > 2 * WORKER_TIMEOUT, "the clients read faster than intended"
    assert len(downloads) == 2
    for status, headers, body in downloads:
        assert status == 200
        assert int(headers["content-length"]) == len(body)
        assert body == reference
    assert len(health) >= 10
    # Within 100 ms as a rule; a single answer may wait on a machine busy with other work,
    # but never for seconds, as it did behind two busy sync workers.
    assert statistics.median(health) < 0.1, health
    assert max(health) < 1, " ".join(f"{t:.3f}" for t in health)


@pytest.mark.parametrize("header", ["X-Forwarded-Proto: https", "X-Forwarded-Ssl: on"])
def test_gunicorn_trusts_no_forwarded_header_unless_told(database, header):
    name, _, value = header.partition(": ")
    with gunicorn(database, DJANGO_SECURE_SSL_REDIRECT="1") as port:
        status, headers, _ = request(port, "/organisations/", headers={name: value})

    assert status == 301
    assert headers["location"] == "https://127.0.0.1/organisations/"
    assert "strict-transport-security" not in headers

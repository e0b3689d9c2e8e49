"""The benchmark behind `make bench`.

1. Builds (first time only) a database of 2,000 organisations, 10,000 agreements and
   100,000 cooperation activities — SQLite at .bench/bench.sqlite3, or, when DATABASE_URL names
   a PostgreSQL server, a database `registry_bench` of its own there — then migrates it and
   collects the static files.
2. Serves it with gunicorn on 127.0.0.1 (2 sync workers, debug off, production-like settings).
3. Measures with wrk (2 connections, bounded in requests and time, two rounds) the throughput
   and latency of /healthz, a static file and the public pages, and times each page uncached
   and right after an edit; streams the full CSV export while watching the workers' memory;
   times the admin's activity changelist as a logged-in superuser; walks a few hundred distinct
   filter URLs once each (each page with the counts beside its filters' options); measures
   /healthz, cached pages and 304s once more through nginx (deploy/nginx/registry.conf, TLS and
   its shared cache) in front of the same server.
4. Stops the server; on a server of its own, imports 10,000 new activities as editors do (the
   admin's import page: upload, preview, confirm), timing the preview and the import, then
   deletes them with their history.
5. Prints the results and writes them into docs/performance.md.

Run it with `make bench`; everything it starts listens on 127.0.0.1 only.
"""

import contextlib
import csv
import html
import http.client
import io
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import django  # only for its version: the bench runs in the project's virtual environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy.nginx_site import Nginx  # noqa: E402 (the project's root is on the path from here on)

BENCH_DIR = ROOT / ".bench"
DATABASE = BENCH_DIR / "bench.sqlite3"
REPORT = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

SIZE = {"organisations": 2000, "agreements": 10000, "activities": 100000}
CONNECTIONS = 2  # the targets are stated at 2 concurrent connections
SECONDS_PER_PAGE = 6
ROUNDS = 2
# A safety bound on top of the time bound; reaching it would make wrk's throughput figure too low.
MAX_REQUESTS_PER_PAGE = 100000
UNCACHED_SAMPLES = 5
WALK_SIZE = 300
ADMIN_SAMPLES = 5
WORKERS = 2  # gunicorn sync workers: the set-up the targets below are stated for

# The performance targets (docs/performance.md): a page from the cache, and a 304, cost about
# what /healthz costs (one small query), whatever the page.
MIN_RATIO = 0.9
MIN_RATIO_NOT_MODIFIED = 0.95
# Pages are asked as browsers ask them: accepting compressed answers, which the page cache keeps
# compressed too (partnerships/caching.py).
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}
MAX_P99_MS = 100
MAX_EXPORT_SECONDS = 15
MAX_EXPORT_GROWTH_MB = 50
MAX_ADMIN_SECONDS = 0.5
# Distinct filter URLs, which no page cache has seen, with the counts beside every filter.
MAX_WALK_P50_MS = 60
MAX_WALK_P95_MS = 120
# Distinct searches (whole words, a word's beginning, two words, misspellings) on the search page
# and the registers, which no page cache has seen.
SEARCH_WALK_SIZE = 120
MAX_SEARCH_P50_MS = 50
# The staff's bulk import through the admin: rows of the activities' CSV download, previewed and
# then imported, both steps together within the target; the bench waits for them at most
# IMPORT_TIMEOUT_SECONDS.
IMPORT_ROWS = 10000
MAX_IMPORT_SECONDS = 60
IMPORT_TIMEOUT_SECONDS = 180


def bench_database():
    """(DATABASE_URL of the bench's database, the engine's name): SQLite in .bench/, or a database
    of its own on the PostgreSQL server that DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/registry_bench")), "PostgreSQL"
    return f"sqlite:///{DATABASE}", "SQLite"


DATABASE_URL, ENGINE = bench_database()


def execute(sql, url=None):
    """One statement on the bench's database (or another one on the same PostgreSQL server)."""
    if ENGINE == "SQLite":
        with contextlib.closing(sqlite3.connect(DATABASE)) as db, db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(url or DATABASE_URL, autocommit=True) as db:
        cursor = db.execute(sql)
        return cursor.fetchall() if cursor.description else []


def settings_environment():
    """Production-like settings: debug off, a secret key, allowed hosts, and plain HTTP on
    loopback (no redirect to HTTPS, which a production server behind TLS would have)."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": DATABASE_URL,
        # Persistent connections, as production would use.
        "DJANGO_DB_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


ENV = settings_environment()


def say(message):
    print(message, flush=True)


def manage(*args, env=None, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env or ENV,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout


# 1. The database ---------------------------------------------------------------------------


def build_postgres_database():
    """The PostgreSQL bench database, built once under another name and renamed when complete,
    so that an interrupted build is not reused (drop `registry_bench` to rebuild)."""
    server = os.environ["DATABASE_URL"]
    if execute("SELECT 1 FROM pg_database WHERE datname = 'registry_bench'", url=server):
        say("Reusing the PostgreSQL database registry_bench (drop it to build a new one).")
        return None
    execute("DROP DATABASE IF EXISTS registry_bench_partial WITH (FORCE)", url=server)
    execute("CREATE DATABASE registry_bench_partial", url=server)
    partial = urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path="/registry_bench_partial"))
    env = {**ENV, "DATABASE_URL": partial}
    say("Building the PostgreSQL database registry_bench (first run only)...")
    started = time.monotonic()
    manage("migrate", "--noinput", "-v0", env=env)
    manage("loaddata", "fixtures/registry.json", "-v0", env=env)
    generated = time.monotonic()
    manage("generate_sample_data", *(f"--{name}={count}" for name, count in SIZE.items()), env=env)
    generation_seconds = time.monotonic() - generated
    execute("ALTER DATABASE registry_bench_partial RENAME TO registry_bench", url=server)
    say(f"Built in {time.monotonic() - started:.0f} s.")
    return generation_seconds


def build_database():
    """Build the database once; later runs reuse it (delete .bench/ to rebuild)."""
    BENCH_DIR.mkdir(exist_ok=True)
    if ENGINE == "PostgreSQL":
        return build_postgres_database()
    if DATABASE.exists():
        say(f"Reusing {DATABASE.relative_to(ROOT)} (delete it to build a new one).")
        return None
    # Built under another name and renamed at the end, so that an interrupted build is not reused.
    partial = DATABASE.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = {**ENV, "DATABASE_URL": f"sqlite:///{partial}"}
    say(f"Building {DATABASE.relative_to(ROOT)} (first run only)...")
    started = time.monotonic()
    manage("migrate", "--noinput", "-v0", env=env)
    manage("loaddata", "fixtures/registry.json", "-v0", env=env)
    generated = time.monotonic()
    manage("generate_sample_data", *(f"--{name}={count}" for name, count in SIZE.items()), env=env)
    generation_seconds = time.monotonic() - generated
    partial.rename(DATABASE)
    say(f"Built in {time.monotonic() - started:.0f} s.")
    return generation_seconds


def prepare():
    generation_seconds = build_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    # Fresh planner statistics, as PostgreSQL's autovacuum would keep them.
    execute("ANALYZE")
    return generation_seconds


def django_facts(password):
    """Create the bench's superuser and pick the records the bench asks for, in one Django process."""
    code = """
import json, os
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from partnerships.models import CooperationActivity, CooperationArea, Organisation, Region
user, _ = get_user_model().objects.get_or_create(username="bench")
user.is_staff = user.is_superuser = True
user.set_password(os.environ["BENCH_ADMIN_PASSWORD"])
user.save()
busiest = (
    Organisation.objects.published()
    .annotate(n=Count("activities", filter=Q(activities__is_published=True)))
    .order_by("-n")
    .values_list("slug", "n")
    .first()
)
print(json.dumps({
    "organisation": busiest[0],
    "organisation_activities": busiest[1],
    "organisations": list(Organisation.objects.published().order_by("?").values_list("slug", flat=True)[:150]),
    "areas": list(CooperationArea.objects.values_list("slug", flat=True)),
    "regions": list(Region.objects.values_list("slug", flat=True)),
    "published_activities": CooperationActivity.objects.published().count(),
    "activities": CooperationActivity.objects.count(),
}))
"""
    env = {**ENV, "BENCH_ADMIN_PASSWORD": password}
    return json.loads(manage("shell", "-c", code, env=env, capture=True).strip().splitlines()[-1])


def static_file_path():
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


# 2. The server -----------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)  # absent once a process has exited
    return int(found.group(1)) / 1024 if found else None


class Server:
    """gunicorn on 127.0.0.1, with a thread that records each worker's peak memory. `timeout`:
    the seconds a sync worker may spend on one request before gunicorn kills it; `log`: its
    log's file in .bench/."""

    def __init__(self, timeout=30, log="gunicorn.log"):
        self.port = free_port()
        self.timeout = timeout
        self.log = BENCH_DIR / log
        self.process = None
        self.peaks = {}
        self.stopping = threading.Event()

    def __enter__(self):
        log = open(self.log, "w")  # noqa: SIM115 (kept open while the server runs)
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={WORKERS}",
                # Sync workers, not gunicorn.conf.py's threaded ones (gunicorn turns "sync" into
                # threaded workers whenever threads > 1, so both settings are needed). A threaded
                # worker keeps wrk's kept-alive connections, and both can land on the same worker,
                # which then serves them on one CPU while the other idles (measured: /healthz at
                # 1,100 or 2,900 req/s from one page to the next). A sync worker closes each
                # connection, so every request goes to whichever worker is free.
                "--worker-class=sync",
                "--threads=1",
                # gunicorn's default, 30 s: a download must finish within it. (Production's
                # threaded workers are not killed during a long request; a sync worker is.)
                f"--timeout={self.timeout}",
                "--no-control-socket",  # nothing but the port on 127.0.0.1
            ],
            cwd=ROOT,
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {self.log}")
            time.sleep(0.2)
        while len(self.workers()) < WORKERS:
            time.sleep(0.1)
        threading.Thread(target=self.watch_memory, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        if self.process and self.process.poll() is None:
            workers = self.workers()
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            # A worker still busy with a request (a long import) outlives a master killed before
            # its graceful timeout: stop it too, so that nothing writes to the database any more.
            for pid in workers:
                with contextlib.suppress(OSError):
                    if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)

    def answers(self):
        try:
            return get(self, "/healthz")[0] == 200
        except OSError:
            return False

    def workers(self):
        """The pids of the master's children: the workers."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return sorted(pids)

    def memory(self):
        return {pid: rss_mb(pid) for pid in self.workers()}

    def watch_memory(self):
        while not self.stopping.wait(0.02):
            for pid, mb in self.memory().items():
                if mb is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), mb)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def get(server, path, headers=None, method="GET", body=None, timeout=60):
    """One request; the status, headers, body and seconds taken."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.getheaders(), content, time.perf_counter() - started
    finally:
        connection.close()


# 3. Measurements ---------------------------------------------------------------------------


def wrk(server, path, headers=None, url=None):
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS_PER_PAGE}s",
        "--timeout=10s",
        *(f"--header={name}: {value}" for name, value in (headers or {}).items()),
        "-s",
        str(ROOT / "bench" / "latency.lua"),
        url or server.url(path),
        "--",
        str(MAX_REQUESTS_PER_PAGE),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def uncached_ms(server, path):
    """The median time of the first request after a change to the registry, which no cache can
    answer: the page and the parts several pages share (area counts, the organisation filter's
    options) are all computed afresh. (The page cache keys a page on the parameters it reads,
    so an extra parameter no longer makes a request uncached.)"""
    return statistics.median(after_an_edit_ms(server, path) for _ in range(UNCACHED_SAMPLES))


def after_an_edit_ms(server, path):
    """The time of the first request after a change to the registry. The change is a bump of
    the registry version, as any edit makes."""
    execute("UPDATE partnerships_registryversion SET number = number + 1")
    status, _, _, seconds = get(server, path)
    assert status == 200, (path, status)
    return seconds * 1000


def revalidation(server, path):
    """The headers of a conditional request for the page as it is now, asked as a browser asks
    it: answered 304."""
    status, headers, _, _ = get(server, path, headers=BROWSER_HEADERS)
    assert status == 200, (path, status)
    return {**BROWSER_HEADERS, "If-None-Match": dict(headers)["ETag"]}


# Pages whose label ends so are asked with the ETag of their current answer: each is a 304.
NOT_MODIFIED = ", 304"
# Pages whose label ends so are asked as a client that takes no compressed answer: measured to
# show what the size of the page costs, without a target (browsers accept compression).
UNCOMPRESSED = ", uncompressed"


def request_headers(label):
    return {} if label.endswith(UNCOMPRESSED) else dict(BROWSER_HEADERS)


def measure_pages(server, pages):
    """Each page under wrk, in ROUNDS rounds over the whole list. Other processes on the machine
    cause bursts of latency that have nothing to do with the page; per page the round with the
    lower p99 is kept (both are printed), with the throughput of /healthz in the same round
    (the first page of the list) to compare it with: the machine's pace differs between rounds."""
    best = {}
    for round_number in range(1, ROUNDS + 1):
        say(f"  Round {round_number} of {ROUNDS}:")
        floor_rps = None
        for label, path in pages:
            for _ in range(4):  # fill the page caches of both workers
                status, *_ = get(server, path)
                assert status == 200, (path, status)
            headers = revalidation(server, path) if label.endswith(NOT_MODIFIED) else request_headers(label)
            result = wrk(server, path, headers)
            floor_rps = floor_rps or result["rps"]
            say(f"    {label:<34} {result['rps']:8.0f} req/s  p99 {result['p99_us'] / 1000:6.1f} ms")
            if label not in best or result["p99_us"] < best[label]["p99_us"]:
                best[label] = {**result, "label": label, "path": path, "round": round_number, "floor_rps": floor_rps}
    for label, path in pages:
        if label not in ("/healthz", "static file") and not label.endswith((NOT_MODIFIED, UNCOMPRESSED)):
            best[label]["uncached_ms"] = uncached_ms(server, path)
            best[label]["after_edit_ms"] = after_an_edit_ms(server, path)
    return [best[label] for label, _ in pages]


def measure_through_nginx(server, pages):
    """/healthz, cached pages and 304s once more, through nginx with TLS and its shared cache,
    which revalidates each copy with the application (the application answers 304)."""
    workdir = BENCH_DIR / "nginx"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    results = []
    with Nginx(workdir, [f"127.0.0.1:{server.port}"], ROOT / "staticfiles") as nginx:
        base = f"https://localhost:{nginx.https_port}"
        floor_rps = None
        for label, path in pages:
            headers = request_headers(label)
            if label.endswith(NOT_MODIFIED):  # the ETag that nginx gives: the address is nginx's
                connection = http.client.HTTPSConnection(
                    "localhost", nginx.https_port, timeout=60, context=ssl._create_unverified_context()
                )
                connection.request("GET", path, headers=BROWSER_HEADERS)
                response = connection.getresponse()
                response.read()
                connection.close()
                assert response.status == 200, (path, response.status)
                headers = {**BROWSER_HEADERS, "If-None-Match": response.headers["ETag"]}
            result = wrk(server, path, headers, url=base + path)
            floor_rps = floor_rps or result["rps"]
            say(f"    nginx: {label:<27} {result['rps']:8.0f} req/s  p99 {result['p99_us'] / 1000:6.1f} ms")
            results.append({**result, "label": label, "path": path, "floor_rps": floor_rps})
    return results


def measure_export(server, path, rows_expected):
    """Stream the export once while sampling the workers' memory every 10 ms."""
    before = server.memory()
    samples = {pid: [mb] for pid, mb in before.items()}
    done = threading.Event()

    def sample():
        while not done.wait(0.01):
            for pid, mb in server.memory().items():
                if mb is not None:
                    samples.setdefault(pid, []).append(mb)

    sampler = threading.Thread(target=sample)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    size = lines = 0
    complete = True
    try:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    except http.client.IncompleteRead:
        complete = False  # the worker was stopped (timeout) before the end
    seconds = time.perf_counter() - started
    connection.close()
    time.sleep(0.2)
    done.set()
    sampler.join()
    after = server.memory()
    # The worker that served the export is the one whose memory moved most.
    pid = max(samples, key=lambda p: max(samples[p]) - samples[p][0])
    result = {
        "status": response.status,
        "complete": complete,
        "seconds": seconds,
        "mb": size / 1e6,
        "rows": lines - 1,  # less the header line (no field of the sample data spans lines)
        "rows_expected": rows_expected,
        "pid": pid,
        "before": before.get(pid) or samples[pid][0],
        "peak": max(samples[pid]),
        "after": after.get(pid),
    }
    result["growth"] = result["peak"] - result["before"]
    say(f"  export: {seconds:.1f} s, {result['mb']:.0f} MB, {result['rows']} rows, +{result['growth']:.1f} MB")
    return result


def cookies_from(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


def cookie_header(jar):
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def admin_session(server, password):
    """Log in to the admin as the bench's superuser, as a browser does; the session's cookies."""
    jar = {}
    status, headers, body, _ = get(server, "/admin/login/")
    cookies_from(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": "bench", "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    )
    status, headers, _, _ = get(
        server,
        "/admin/login/?next=/admin/",
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(jar)},
    )
    cookies_from(headers, jar)
    if status != 302:
        raise SystemExit(f"The bench could not log in to the admin (HTTP {status}).")
    return jar


def measure_admin(server, jar):
    """Time the activity changelist (100 rows a page) as the logged-in superuser (`jar`)."""
    times = []
    path = "/admin/partnerships/cooperationactivity/"
    # One unmeasured request per worker first, as the pages are warmed: a worker's first admin
    # request also loads and compiles the admin's templates.
    for _ in range(WORKERS):
        get(server, path, headers={"Cookie": cookie_header(jar)})
    for _ in range(ADMIN_SAMPLES):
        status, _, body, seconds = get(server, path, headers={"Cookie": cookie_header(jar)})
        assert status == 200 and b"result_list" in body, status
        times.append(seconds)
    say(f"  admin changelist: median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    return {"median": statistics.median(times), "max": max(times), "samples": len(times)}


# The staff's bulk import: new activities, in the columns of the public download, through the
# admin's import page. Their slugs start so; they are deleted again afterwards.
IMPORT_SLUG_PREFIX = "bench-import-"
IMPORT_PATH = "/admin/partnerships/cooperationactivity/import/"

# Deletes the imported activities and every row their import and deletion wrote: links,
# citations, the search index's entries and the edit history (a deletion writes none).
DELETE_IMPORTED = """
import os
from django.db import transaction
from django.test import override_settings
from partnerships.models import Citation, CooperationActivity, one_registry_change
from partnerships.search import index
prefix = os.environ["BENCH_IMPORT_PREFIX"]
with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False), one_registry_change(), index.batched():
    deleted = CooperationActivity._base_manager.filter(slug__startswith=prefix).delete()[1]
    history = CooperationActivity.history.filter(slug__startswith=prefix)
    for links in CooperationActivity.registry_history.m2m_models.values():  # not deleted with their entry
        links._base_manager.filter(history__in=history.values("history_id")).delete()
    Citation.history.filter(activity_id__in=history.values("id")).delete()
    history.delete()
print(deleted.get("partnerships.CooperationActivity", 0))
"""


def imported_count():
    [(count,)] = execute(
        f"SELECT COUNT(*) FROM partnerships_cooperationactivity WHERE slug LIKE '{IMPORT_SLUG_PREFIX}%'"
    )
    return count


def delete_imported():
    """Remove the activities an import of the bench made, with their history."""
    env = {**ENV, "BENCH_IMPORT_PREFIX": IMPORT_SLUG_PREFIX}
    manage("shell", "-c", DELETE_IMPORTED, env=env, capture=True)


def rows_to_import(server, count):
    """The first `count` rows of the server's own CSV download of the activities, each with a new
    slug and title, so that every row adds an activity: a CSV file as editors would upload."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=IMPORT_TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/cooperation/?format=csv")
        response = connection.getresponse()
        assert response.status == 200, response.status
        lines = (line.decode("utf-8-sig") for line in response)
        reader = csv.DictReader(lines)
        rows = [row for _, row in zip(range(count), reader, strict=False)]
    finally:
        connection.close()  # the rest of the download is not needed
    for number, row in enumerate(rows, 1):
        row["slug"] = f"{IMPORT_SLUG_PREFIX}{number:05d}"
        row["title"] = f"{row['title']} (imported {number})"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(), len(rows)


def multipart(fields, files):
    """A multipart/form-data body, as a browser sends a form with a file; (body, content type)."""
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(page, content):
    """The import page's form, filled in with the CSV file `content`: (body, content type)."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csv_format = re.search(r'<option value="([^"]+)"[^>]*>\s*csv\s*</option>', page, re.I).group(1)
    return multipart(
        {"csrfmiddlewaretoken": token, "format": csv_format}, {"import_file": ("activities.csv", content)}
    )


def hidden_inputs(page, action):
    """The hidden fields of the page's form that posts to `action`."""
    form = re.search(rf'<form[^>]*action="[^"]*{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    if form is None:
        raise AssertionError(f"no form posting to {action} in the preview")
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name] = html.unescape(value.group(1)) if value else ""
    return fields


def measure_import(jar, rows):
    """Import `rows` new activities as an editor does, logged in as the bench's superuser (`jar`):
    upload a CSV file on the admin's import page, wait for the preview, confirm it. Times the
    preview and the import and counts the activities created, then deletes them with their
    history, so that the next run finds the same data.

    On a server of its own, whose workers may spend IMPORT_TIMEOUT_SECONDS on a request (the
    bench's server kills a request after 30 s, which production's threaded workers do not). The
    preview and the import together get IMPORT_TIMEOUT_SECONDS: past it the bench stops waiting,
    and stops the server before the clean-up, so that no import is running while it deletes."""
    if imported_count():
        delete_imported()  # left by an interrupted run
    result = {"rows": 0, "preview_seconds": None, "import_seconds": None, "created": 0, "error": None}
    result["step"] = "download"
    try:
        with Server(timeout=IMPORT_TIMEOUT_SECONDS, log="gunicorn-import.log") as server:
            try:
                import_through_admin(server, jar, rows, result)
            except TimeoutError:
                result["error"] = f"no answer to the {result['step']} within {IMPORT_TIMEOUT_SECONDS} s in all"
            except (AssertionError, OSError, http.client.HTTPException) as error:
                result["error"] = f"the {result['step']} failed: {error or type(error).__name__}"
            result["peak"] = max(server.peaks.values(), default=None)
        result["created"] = imported_count()
    finally:
        delete_imported()
    result["left"] = imported_count()
    say(
        f"  import: {result['rows']:,} rows, preview {seconds_or_dash(result['preview_seconds'])} s, "
        f"import {seconds_or_dash(result['import_seconds'])} s, {result['created']:,} created, "
        f"{result['left']} left after the clean-up" + (f"; failed: {result['error']}" if result["error"] else "")
    )
    return result


def seconds_or_dash(seconds):
    return "–" if seconds is None else f"{seconds:.1f}"


def import_through_admin(server, jar, rows, result):
    """Upload the file, time the preview, confirm it, time the import: into `result`."""
    content, result["rows"] = rows_to_import(server, rows)
    result["step"] = "preview"
    cookies = {"Cookie": cookie_header(jar)}
    status, _, page, _ = get(server, IMPORT_PATH, headers=cookies)
    assert status == 200, f"import page: HTTP {status}"
    body, content_type = upload(page.decode(), content)
    status, _, page, result["preview_seconds"] = get(
        server,
        IMPORT_PATH,
        method="POST",
        body=body,
        headers={**cookies, "Content-Type": content_type},
        timeout=IMPORT_TIMEOUT_SECONDS,
    )
    assert status == 200, f"preview: HTTP {status}"
    confirm = hidden_inputs(page.decode(), "process_import/")
    result["step"] = "import"
    status, headers, _, result["import_seconds"] = get(
        server,
        IMPORT_PATH.replace("import/", "process_import/"),
        method="POST",
        body=urllib.parse.urlencode(confirm),
        headers={**cookies, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=max(IMPORT_TIMEOUT_SECONDS - result["preview_seconds"], 1),
    )
    # Imported: back to the list of activities; not imported: back to the import page.
    location = dict(headers).get("Location", "")
    assert status == 302 and "import/" not in location, f"import: HTTP {status} {location}"


WORDS = ["training", "smuggling", "fraud", "return", "border", "risk", "maritime", "asylum", "minors", "health"]


def walk_paths(facts, count):
    """Distinct filter URLs, as visitors make them: a few filters at once, rarely the same twice."""
    rng = random.Random(6)
    statuses = ["exploring", "planned", "ongoing", "completed", "discontinued"]
    paths = set()
    while len(paths) < count:
        register = rng.choices(["cooperation", "organisations", "agreements"], weights=[70, 15, 15])[0]
        params = [("area", area) for area in rng.sample(facts["areas"], rng.choice([0, 1, 1, 2]))]
        if register == "cooperation":
            params += [("status", s) for s in rng.sample(statuses, rng.choice([0, 0, 1, 2]))]
            params += [("organisation", o) for o in rng.sample(facts["organisations"], rng.choice([0, 0, 1]))]
            params += [("region", r) for r in rng.sample(facts["regions"], rng.choice([0, 0, 1]))]
        elif register == "organisations":
            params += [("kind", k) for k in rng.sample(["un-system", "law-enforcement"], rng.choice([0, 1]))]
        else:
            params += [("organisation", o) for o in rng.sample(facts["organisations"], rng.choice([0, 1]))]
        if rng.random() < 0.15:
            params.append(("q", rng.choice(WORDS)))
        # Later pages where there are surely that many results (a page past the end answers 404).
        if len(params) == 1 and register != "agreements" and params[0][0] in ("area", "status") and rng.random() < 0.5:
            params.append(("page", rng.choice([2, 3, 4])))
        paths.add(f"/{register}/?{urllib.parse.urlencode(params)}")
    paths = sorted(paths)
    rng.shuffle(paths)
    return paths


SEARCH_WORDS = WORDS + [
    "trafficking",
    "migration",
    "police",
    "refugees",
    "customs",
    "document",
    "cooperation",
    "training",
    "organisation",
    "programme",
    "network",
    "security",
    "protection",
    "drugs",
    "victims",
    "analysis",
]


def search_paths(count):
    """Distinct searches as visitors type them: a word, its beginning, two words, a typo."""
    rng = random.Random(13)
    paths = set()
    while len(paths) < count:
        word = rng.choice(SEARCH_WORDS)
        shape = rng.random()
        if shape < 0.3:
            q = word[: rng.randint(3, max(3, len(word) - 1))]  # search-as-you-type
        elif shape < 0.6:
            q = f"{word} {rng.choice(SEARCH_WORDS)}"
        elif shape < 0.75:
            cut = rng.randint(1, len(word) - 2)
            q = word[:cut] + word[cut + 1 :]  # a letter left out
        else:
            q = word
        register = rng.choices(["search", "cooperation", "organisations"], weights=[50, 35, 15])[0]
        paths.add(f"/{register}/?{urllib.parse.urlencode({'q': q})}")
    paths = sorted(paths)
    rng.shuffle(paths)
    return paths


def measure_walk(server, paths):
    """Ask each path once, from CONNECTIONS clients at a time; throughput and latency percentiles."""
    pending = list(reversed(paths))
    latencies, bad = [], []
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                if not pending:
                    return
                path = pending.pop()
            status, _, _, seconds = get(server, path)
            with lock:
                latencies.append(seconds)
                if status >= 400:
                    bad.append((status, path))

    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    result = {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_us": quantiles[49] * 1e6,
        "p95_us": quantiles[94] * 1e6,
        "p99_us": quantiles[98] * 1e6,
        "bad_status": len(bad),
    }
    say(f"  walk: {result['requests']} requests, {result['rps']:.0f} req/s, p95 {result['p95_us'] / 1000:.0f} ms")
    return result


# 4. The report -----------------------------------------------------------------------------


def machine():
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
    }


def megabytes(value):
    return "–" if value is None else f"{value:.0f}"  # no value: the worker had exited


def verdict(ok):
    return "met" if ok else "**missed**"


def report(results):
    m = results["machine"]
    healthz = results["pages"][0]["rps"]
    lines = [
        f"Run on {results['date']}: {m['nproc']} CPUs ({m['cpu']}), {m['system']}, Python {m['python']}, "
        f"Django {m['django']}, {ENGINE if ENGINE != 'SQLite' else 'SQLite ' + m['sqlite']} "
        f"({'a database of its own on the server DATABASE_URL names' if ENGINE != 'SQLite' else 'the default'}). "
        "Other processes share this machine: during the "
        f"measurements they used {results['noise']['others']:.0%} of its CPU time and the hypervisor gave "
        f"{results['noise']['steal']:.0%} to other machines (the bench and its server used "
        f"{results['noise']['own']:.0%}); load average {results['load_before']} before, "
        f"{results['load_after']} after.",
        "",
        f"Data: {results['facts']['activities']:,} activities ({results['facts']['published_activities']:,} "
        f"published), {SIZE['organisations']:,} + 10 organisations, {SIZE['agreements']:,} agreements; the "
        f"organisation page is the busiest partner's ({results['facts']['organisation_activities']:,} activities)."
        + (
            f" The database was built in this run; the generator took {results['generation_seconds']:.0f} s."
            if results["generation_seconds"]
            else ""
        ),
        "",
        f"Pages: wrk, {CONNECTIONS} connections, {SECONDS_PER_PAGE} s or {MAX_REQUESTS_PER_PAGE:,} requests each, "
        f"after warm-up (so mostly answered from the page cache), in {ROUNDS} rounds over the list; each page's "
        "round with the lower p99 is shown, its throughput compared with that of /healthz in the same round. "
        f"Each request accepts compressed answers, as browsers do ({BROWSER_HEADERS['Accept-Encoding']}), except "
        f'for labels ending in "{UNCOMPRESSED}", which show what the page\'s size costs a client that '
        "takes no compression (no target). "
        f'Labels ending in "{NOT_MODIFIED}" send the ETag of the page\'s current answer '
        "(If-None-Match), so each answer is a 304. *Uncached* is the median of "
        f"{UNCACHED_SAMPLES} single requests each right after the registry version moved on (as any edit "
        "moves it), when the page and the parts several pages share (area counts, the organisation filter's "
        "options) are computed afresh; *after an edit* is one more such request.",
        "",
        "| page | req/s | × /healthz | p50 ms | p95 ms | p99 ms | uncached ms | after an edit ms "
        f"| target (≥ {MIN_RATIO} ×, 304s ≥ {MIN_RATIO_NOT_MODIFIED} ×, p99 < 100 ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in results["pages"]:
        ratio = page["rps"] / page["floor_rps"]
        target = MIN_RATIO_NOT_MODIFIED if page["label"].endswith(NOT_MODIFIED) else MIN_RATIO
        ok = (page["label"] in ("/healthz", "static file") or ratio >= target) and page["p99_us"] / 1000 < MAX_P99_MS
        ok = ok and page["bad_status"] == 0 and page["socket_errors"] == 0
        shown = "no target" if page["label"].endswith(UNCOMPRESSED) else verdict(ok)
        uncached = f"{page['uncached_ms']:.0f}" if "uncached_ms" in page else "–"
        after_edit = f"{page['after_edit_ms']:.0f}" if "after_edit_ms" in page else "–"
        lines.append(
            f"| {page['label']}: `{page['path']}` | {page['rps']:.0f} | {ratio:.2f} | {page['p50_us'] / 1000:.1f} | "
            f"{page['p95_us'] / 1000:.1f} | {page['p99_us'] / 1000:.1f} | {uncached} | {after_edit} | {shown} |"
        )
    lines += [
        "",
        "Through nginx (`deploy/nginx/registry.conf`: TLS, its shared cache revalidating each copy with the "
        "application, which answers 304), in front of the same server, one round; each throughput compared "
        "with that of /healthz through nginx:",
        "",
        "| page | req/s | × /healthz | p50 ms | p95 ms | p99 ms | answers ≥ 400 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in results["nginx"]:
        lines.append(
            f"| {page['label']}: `{page['path']}` | {page['rps']:.0f} | {page['rps'] / page['floor_rps']:.2f} | "
            f"{page['p50_us'] / 1000:.1f} | {page['p95_us'] / 1000:.1f} | {page['p99_us'] / 1000:.1f} | "
            f"{page['bad_status']} |"
        )
    walk, search = results["walk"], results["search_walk"]
    lines += [
        "",
        f"Distinct filter URLs ({len(results['walk_paths'])} of /cooperation/, /organisations/ and /agreements/ "
        f"with area, status, organisation, region, kind, q and page), each asked once by {CONNECTIONS} clients "
        "at a time, so none is answered from the page cache; every page shows the counts beside its filters' "
        "options (the counts that several pages share are computed once per registry version):",
        "",
        f"| URLs | req/s | × /healthz | p50 ms | p95 ms | p99 ms | answers ≥ 400 "
        f"| target (p50 ≤ {MAX_WALK_P50_MS} ms, p95 ≤ {MAX_WALK_P95_MS} ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {walk['requests']} | {walk['rps']:.0f} | {walk['rps'] / healthz:.2f} | {walk['p50_us'] / 1000:.0f} | "
        f"{walk['p95_us'] / 1000:.0f} | {walk['p99_us'] / 1000:.0f} | {walk['bad_status']} | "
        f"{verdict(walk['p50_us'] <= MAX_WALK_P50_MS * 1000 and walk['p95_us'] <= MAX_WALK_P95_MS * 1000)} |",
        "",
        f"Distinct searches ({len(results['search_paths'])} of /search/, /cooperation/ and /organisations/ with "
        "`q` a whole word, a word's beginning, two words or a word with a letter left out), each asked once by "
        f"{CONNECTIONS} clients at a time, none from the page cache:",
        "",
        f"| URLs | req/s | p50 ms | p95 ms | p99 ms | answers ≥ 400 | target (p50 < {MAX_SEARCH_P50_MS} ms) |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {search['requests']} | {search['rps']:.0f} | {search['p50_us'] / 1000:.0f} | "
        f"{search['p95_us'] / 1000:.0f} | {search['p99_us'] / 1000:.0f} | {search['bad_status']} | "
        f"{verdict(search['p50_us'] < MAX_SEARCH_P50_MS * 1000 and search['bad_status'] == 0)} |",
        "",
        "Full CSV export of the cooperation activities, streamed by one worker (memory: resident set size "
        "of the worker that served it, sampled every 10 ms):",
        "",
        "| run | seconds | MB | rows | worker MB before | peak | after | growth | target (< 15 s, < 50 MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, export in enumerate(results["exports"], 1):
        ok = (
            export["status"] == 200
            and export["complete"]
            and export["seconds"] < MAX_EXPORT_SECONDS
            and export["growth"] < MAX_EXPORT_GROWTH_MB
            and export["rows"] == export["rows_expected"]
        )
        lines.append(
            f"| {number} | {export['seconds']:.1f} | {export['mb']:.0f} | {export['rows']:,} | "
            f"{megabytes(export['before'])} | {megabytes(export['peak'])} | {megabytes(export['after'])} | "
            f"{export['growth']:.1f} | {verdict(ok)} |"
        )
    admin = results["admin"]
    lines += [
        "",
        f"Admin changelist of the activities (100 rows a page), over HTTP as the logged-in superuser, "
        f"{admin['samples']} requests: median {admin['median']:.2f} s, slowest {admin['max']:.2f} s — target "
        f"< {MAX_ADMIN_SECONDS} s {verdict(admin['max'] < MAX_ADMIN_SECONDS)}.",
        "",
        import_line(results["import"]),
        "",
        "Peak memory of each gunicorn worker over the whole run, the import aside: "
        + ", ".join(f"{mb:.0f} MB" for _, mb in sorted(results["peaks"].items()))
        + ".",
        "",
    ]
    return "\n".join(lines)


def import_line(result):
    preview, done = result["preview_seconds"], result["import_seconds"]
    total = preview + done if preview is not None and done is not None else None
    ok = result["error"] is None and total < MAX_IMPORT_SECONDS and result["created"] == result["rows"] == IMPORT_ROWS
    outcome = f"stopped: {result['error']}" if result["error"] else f"together {total:.1f} s"
    return (
        f"Bulk import through the admin (`{IMPORT_PATH}`), as the logged-in superuser on a server of its own: "
        f"a CSV file of {result['rows']:,} rows of the activities' download, each with a new slug and title, "
        f"uploaded, previewed in {seconds_or_dash(preview)} s and imported in {seconds_or_dash(done)} s "
        f"({outcome}); {result['created']:,} activities created, then deleted with their history "
        f"({result['left']} left); worker peak {megabytes(result.get('peak'))} MB — target "
        f"{IMPORT_ROWS:,} rows in < {MAX_IMPORT_SECONDS} s {verdict(ok)}."
    )


def write_report(text):
    marker = "bench" if ENGINE == "SQLite" else "bench-postgresql"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    document = REPORT.read_text()
    before, _, rest = document.partition(start)
    _, _, after = rest.partition(end)
    REPORT.write_text(f"{before}{start}\n{text}\n{end}{after}")


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def cpu_seconds():
    """(CPU time the whole machine was busy, time the hypervisor gave to other machines, CPU time
    of the bench and everything it started and has waited for: server, wrk, manage.py)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
    per_second = os.sysconf("SC_CLK_TCK")
    own = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    return (user + nice + system + irq + softirq) / per_second, steal / per_second, own


def noise(before, after, seconds):
    """How much of the machine other processes (and other virtual machines) took meanwhile."""
    busy, steal, own = (end - start for start, end in zip(before, after, strict=True))
    capacity = seconds * os.cpu_count()
    return {"others": max(busy - own, 0) / capacity, "steal": steal / capacity, "own": own / capacity}


def main():
    started = time.monotonic()
    # The server is stopped on every way out: normal end, error, Ctrl-C or a TERM signal.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    generation_seconds = prepare()
    measuring = time.monotonic()
    password = secrets.token_urlsafe(24)
    facts = django_facts(password)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "facts": facts,
        "generation_seconds": generation_seconds,
        "load_before": load_average(),
    }
    pages = [
        ("/healthz", "/healthz"),
        ("static file", static_file_path()),
        ("home", "/"),
        ("area matrix", "/areas/"),
        ("organisations by area", "/organisations/?area=border-management"),
        ("activities by area and status", "/cooperation/?area=return&status=ongoing"),
        ("activities by search", "/cooperation/?q=smuggling"),
        ("activities by partner name", "/cooperation/?q=maritime+safety"),
        ("organisations by search", "/organisations/?q=police"),
        ("search page", "/search/?q=smuggling"),
        ("search page, a word's beginning", "/search/?q=traff"),
        ("search page, a broad word", "/search/?q=border"),
        ("search page, a misspelling", "/search/?q=smugling+netwroks"),
        ("organisation page", f"/organisations/{facts['organisation']}/"),
        ("area page", "/areas/border-management/"),
        ("activities, every partner listed", "/cooperation/?status=ongoing&expand=organisation"),
        (f"activities, every partner listed{UNCOMPRESSED}", "/cooperation/?status=ongoing&expand=organisation"),
        ("activities by planned start", "/cooperation/?area=return&sort=-starts_on"),
        ("activities feed", "/cooperation/feed/"),
        ("activities feed by area and status", "/cooperation/feed/?area=return&status=ongoing"),
        ("organisation feed", f"/organisations/{facts['organisation']}/feed/"),
        ("area feed", "/areas/border-management/feed/"),
        ("change log", "/changes/"),
        ("change log, page 40", "/changes/?page=40"),
        ("change log feed", "/changes/feed/"),
        (f"home{NOT_MODIFIED}", "/"),
        (f"activities by area and status{NOT_MODIFIED}", "/cooperation/?area=return&status=ongoing"),
        (f"organisation page{NOT_MODIFIED}", f"/organisations/{facts['organisation']}/"),
    ]
    cpu_before, started_measuring = cpu_seconds(), time.monotonic()
    with Server() as server:
        say(f"Serving on 127.0.0.1:{server.port}, workers {server.workers()}.")
        results["pages"] = measure_pages(server, pages)
        export_path = "/cooperation/?format=csv"
        results["exports"] = [measure_export(server, export_path, facts["published_activities"]) for _ in range(2)]
        admin = admin_session(server, password)
        results["admin"] = measure_admin(server, admin)
        results["walk_paths"] = walk_paths(facts, WALK_SIZE)
        results["walk"] = measure_walk(server, results["walk_paths"])
        results["search_paths"] = search_paths(SEARCH_WALK_SIZE)
        results["search_walk"] = measure_walk(server, results["search_paths"])
        results["nginx"] = measure_through_nginx(
            server,
            [
                ("/healthz", "/healthz"),
                ("home", "/"),
                ("organisation page", f"/organisations/{facts['organisation']}/"),
                (f"home{NOT_MODIFIED}", "/"),
                (f"organisation page{NOT_MODIFIED}", f"/organisations/{facts['organisation']}/"),
            ],
        )
        results["peaks"] = dict(server.peaks)
    results["import"] = measure_import(admin, IMPORT_ROWS)
    results["load_after"] = load_average()
    results["noise"] = noise(cpu_before, cpu_seconds(), time.monotonic() - started_measuring)
    text = report(results)
    write_report(text)
    say("\n" + text)
    say(f"Measured in {time.monotonic() - measuring:.0f} s (in all {time.monotonic() - started:.0f} s).")
    say(f"Written to {REPORT.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()

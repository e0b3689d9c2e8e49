"""gunicorn's settings for the registry.

gunicorn reads this file when started from the checkout (`gunicorn` with no arguments serves
the site), or from anywhere with `gunicorn -c /path/to/gunicorn.conf.py`. Each setting can be
changed from the environment (README, "Deploying"); arguments on the command line win over both.

- Threaded workers (gthread, RegistryThreadWorker below): a client that reads a download slowly holds one thread of a
  worker, not the whole worker, and the worker keeps reporting to gunicorn's arbiter while its
  threads write, so a slow reader neither starves the other requests nor gets the worker killed
  at the timeout half-way through a file. The timeout only catches a worker that stops
  answering altogether.
- X-Forwarded-* headers are trusted from no address unless GUNICORN_FORWARDED_ALLOW_IPS names
  the proxies: gunicorn's own default trusts any client on 127.0.0.1, which let a plain-HTTP
  request claim HTTPS. Django reads the scheme from the proxy itself where
  DJANGO_SECURE_PROXY_SSL_HEADER says so.
- No control socket: the port is the only way in.
"""

import os

from gunicorn.workers.gthread import ThreadWorker


def env_int(name, default, minimum=1):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise SystemExit(f"{name} must be {minimum} or more, not {number}.")
    return number


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


class RegistryThreadWorker(ThreadWorker):
    """gunicorn's threaded worker (gthread), closing finished connections in its threads.

    When a response is complete, gunicorn 27 closes the connection "gracefully" (RFC 9112,
    section 9.6): it half-closes it and waits up to two seconds for the client to close its
    side, and it does so on the worker's main loop, the one that accepts new connections. A
    client still reading a large download from its buffers does not close for a while, so every
    download finished for a slow client stalled the whole worker for up to two seconds (/healthz
    included). Here that wait runs in the worker's thread pool instead.
    """

    def finish_request(self, conn, fs):
        close = conn.close

        def close_in_a_thread(graceful=False):
            if graceful and self.alive:
                self.tpool.submit(close, graceful=True)
            else:
                close(graceful=graceful)

        conn.close = close_in_a_thread
        super().finish_request(conn, fs)


worker_class = RegistryThreadWorker
# Each worker process runs `threads` requests at once: with N workers and T threads, N x T
# clients can be downloading before a new request waits. Each thread may hold a database
# connection, so keep hosts x workers x threads under PostgreSQL's max_connections.
workers = env_int("GUNICORN_WORKERS", 2)
threads = env_int("GUNICORN_THREADS", 8)
# Seconds a worker may go without reporting to the arbiter before it is restarted.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5

forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "")
control_socket_disable = True

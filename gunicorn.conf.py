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
- A stopping server stops listening at once (RegistryThreadWorker below): a proxy's next
  connection is refused and goes straight to another server, while the requests already
  accepted are finished.
- No control socket: the port is the only way in.
"""

import errno
import os

from gunicorn.workers.gthread import TConn, ThreadWorker


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
    """gunicorn's threaded worker (gthread), stopping without holding new connections, and
    closing finished connections in its threads.

    Stopping (SIGTERM): gthread stops accepting at once but keeps its listening socket open
    until its last connection ends, which is at least the two seconds it keeps kept-alive
    connections open for a request already on its way, longer while a request is in flight.
    Meanwhile the kernel still completes every new connection into the socket's queue, where
    nobody takes it: a proxy's request waits there for those seconds, then is reset. Here the
    worker takes what is already queued (answered, then closed) and closes its listening
    socket straight away; with every worker of the server doing so (gunicorn's arbiter closes
    its own copy first), a new connection is refused at once and the proxy retries it on the
    next server at no cost.

    Finished connections: when a response is complete, gunicorn 27 closes the connection
    "gracefully" (RFC 9112, section 9.6): it half-closes it and waits up to two seconds for
    the client to close its side, and it does so on the worker's main loop, the one that
    accepts new connections. A client still reading a large download from its buffers does not
    close for a while, so every download finished for a slow client stalled the whole worker
    for up to two seconds (/healthz included). Here that wait runs in the worker's thread pool.
    """

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self.stop_listening()

    def stop_listening(self):
        for listener in self.sockets:
            if listener.sock is None:
                continue
            listener.setblocking(False)
            while True:
                try:
                    client, address = listener.accept()
                except BlockingIOError:
                    break
                except OSError as error:
                    if error.errno == errno.ECONNABORTED:
                        continue
                    break
                self.nr_conns += 1
                client.setblocking(True)
                self.enqueue_req(TConn(self.cfg, client, address, listener.getsockname()))
            listener.close()

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
# Seconds an idle connection stays open for the client's next request. A proxy that keeps
# connections to the application open must close idle ones sooner (deploy/nginx/registry.conf
# closes them after 4 s), or it may send a request on a connection gunicorn is just closing.
keepalive = 5

forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "")
control_socket_disable = True

"""gunicorn settings for Town Hall Feedback: `gunicorn -c gunicorn.conf.py`.

The access log keeps no client address, no time, no user agent and no referrer (promise 1 in
DESIGN.md): only the request line, the status, the size and the duration; and it keeps no line at all for
submitter pages (town halls, receipts, static files), whose order among staff lines would time them.
Errors on those pages are not logged when they happen: each worker counts them and writes one summary
line at the next full hour, without path, method, view or message (feedback/logs.py).

Before any worker starts (and again before new workers start on a reload, SIGHUP), the arbiter brings
the database schema up to date with `flask --app feedback db upgrade`, in a process of its own: two
workers never race to create tables, and workers never run against an older schema than their code.
If the upgrade fails (no key ring, database unreachable), gunicorn stops instead of serving.
Set GUNICORN_MIGRATE=0 where a deploy step runs the upgrade itself.
"""

import os
import subprocess
import sys

wsgi_app = "feedback:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers spend much of a submission waiting for the durable commit: gunicorn's own advice,
# two per core plus one, keeps the cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# GUNICORN_THREADS > 1: threaded workers (gthread), each overlapping its requests' waits (fsync, Redis,
# PostgreSQL) with another request's work. Every thread has its own database connection and session.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 30
graceful_timeout = 20
# gunicorn 27 opens a control socket in ~/.gunicorn by default (--no-control-socket); we do not use it.
control_socket_disable = True
# Behind a reverse proxy, set FEEDBACK_PROXY_FIX_X_FOR instead; gunicorn itself trusts no proxy.
forwarded_allow_ips = ""

accesslog = "-"
# Method, path (no query string: staff searches stay out of logs), protocol, status, size, duration.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = "info"


def _upgrade_schema(server, reloading: bool) -> None:
    """Run the migrations once, in a child process, so the arbiter imports none of the app."""
    if os.environ.get("GUNICORN_MIGRATE", "1") == "0":
        return
    command = [sys.executable, "-m", "flask", "--app", "feedback", "db", "upgrade"]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if done.returncode != 0:
        server.log.error("Schema upgrade failed, not starting workers:\n%s", done.stdout.strip())
        if reloading:  # stop the old workers too, rather than start new code on an old schema
            from gunicorn.errors import HaltServer

            raise HaltServer("schema upgrade failed", 1)
        raise SystemExit(1)
    server.log.info("Database schema is up to date.")
    # Anything a migration said beyond the command's own line (e.g. 0005 on an account it left as it was).
    if said := "\n".join(line for line in done.stdout.splitlines() if not line.startswith("Database ")).strip():
        server.log.warning("The schema upgrade said:\n%s", said)


def on_starting(server):
    _upgrade_schema(server, reloading=False)


def on_reload(server):
    _upgrade_schema(server, reloading=True)


def post_worker_init(worker):
    """The app is loaded: collect what is garbage already, then move everything still alive (modules,
    the app, its routes and settings) out of the garbage collector's reach, so its full collections
    stop walking them (about 0.1 ms a request, measured through the test client)."""
    import gc

    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """No access line for submitter pages; gunicorn warns 'Invalid request from ip=...': keep such addresses
    out of its log too; a line naming a submitter page waits for the hourly report (feedback/logs.py)."""
    from feedback.logs import DropSubmitterAccess, HoldSubmitterEvents, RedactAddresses, add_filter

    add_filter("gunicorn.access", DropSubmitterAccess())
    add_filter("gunicorn.error", HoldSubmitterEvents())
    add_filter("gunicorn.error", RedactAddresses())

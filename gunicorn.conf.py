"""gunicorn settings for Town Hall Feedback: `gunicorn -c gunicorn.conf.py`.

The access log keeps no client address, no time, no user agent and no referrer (promise 1 in
DESIGN.md): only the request line, the status, the size and the duration.
"""

import os

wsgi_app = "feedback:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# gunicorn 27 opens a control socket in ~/.gunicorn by default; we do not use it.
control_socket_disable = True
# Behind a reverse proxy, set FEEDBACK_PROXY_FIX_X_FOR instead; gunicorn itself trusts no proxy.
forwarded_allow_ips = ""

accesslog = "-"
# Method, path (no query string: staff searches stay out of logs), protocol, status, size, duration.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = "info"


def post_fork(server, worker):
    """gunicorn warns 'Invalid request from ip=...': keep such addresses out of its log too."""
    from feedback.logs import RedactAddresses, add_filter

    add_filter("gunicorn.error", RedactAddresses())

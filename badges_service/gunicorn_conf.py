"""gunicorn settings of the ``web`` process (``badges_service.web`` passes bind, workers, threads)."""

import os

# Request lines are written by the application (badges_service.logs), in JSON, with the request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind a reverse proxy or a load balancer that keeps connections open to the web processes.
keepalive = 5
# A worker silent this long (a request stuck on a dead database connection, say) is replaced.
timeout = int(os.environ.get("BADGES_WEB_TIMEOUT_SECONDS", "30"))
# Recycle workers now and then (jittered so they do not all restart at once): bounds any slow leak. A worker
# costs about a second of CPU to start (Django set-up): at 20,000 requests, a process serving 2,000 requests/s
# restarted every 10 s. BADGES_WEB_MAX_REQUESTS=0 turns recycling off.
max_requests = int(os.environ.get("BADGES_WEB_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10
# The application is imported in each worker, not in the master: a restarted worker reads fresh code.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A worker's gauges leave the multiprocess metrics with it (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

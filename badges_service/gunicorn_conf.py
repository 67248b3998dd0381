"""gunicorn settings of the ``web`` process (``badges_service.web`` passes bind, workers, threads)."""

import os

from badges_service import balanced_worker, recycling, web

# Request lines are written by the application (badges_service.logs), in JSON, with the request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind a reverse proxy or a load balancer that keeps connections open to the web processes.
keepalive = 5
# A worker silent this long (a request stuck on a dead database connection, say) is replaced.
timeout = int(os.environ.get("BADGES_WEB_TIMEOUT_SECONDS", "30"))
# Recycle a worker once its resident memory passes BADGES_WEB_MAX_RSS_MB (checked every
# BADGES_WEB_RSS_CHECK_EVERY requests: badges_service.recycling), the slow leak recycling bounds. A count of
# requests (gunicorn's max_requests, BADGES_WEB_MAX_REQUESTS, off by default) restarted healthy workers of a busy
# process every minute on a fast machine, each restart a second of CPU and cold in-memory caches.
max_rss_mb = web.max_rss_mb()
rss_check_every = int(os.environ.get("BADGES_WEB_RSS_CHECK_EVERY", "1000"))
max_requests = int(os.environ.get("BADGES_WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The application is imported in each worker, not in the master: a restarted worker reads fresh code.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """The table in which the workers share out the connections (badges_service.balanced_worker)."""
    balanced_worker.table = balanced_worker.Table(slots=server.num_workers * 2 + 8)


def pre_fork(server, worker):
    """Give a new worker a slot of the table that no live worker uses."""
    if balanced_worker.table is not None:
        taken = {getattr(w, "slot", None) for w in server.WORKERS.values()}
        worker.slot = balanced_worker.table.free_slot(taken)
        balanced_worker.table.reset(worker.slot)


def child_exit(server, worker):
    """A worker's slot and its gauges (prometheus_client multiprocess mode) leave with it."""
    if balanced_worker.table is not None and getattr(worker, "slot", None) is not None:
        balanced_worker.table.reset(worker.slot)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_request(worker, req, environ, resp):
    """Past the memory bound, finish the requests in hand and give way to a fresh worker (as max_requests does)."""
    memory = recycling.due(worker.nr, every=rss_check_every, limit_mib=max_rss_mb)
    if memory is not None and worker.alive:
        worker.log.info("Recycling: %.0f MiB resident, over BADGES_WEB_MAX_RSS_MB=%d.", memory, max_rss_mb)
        worker.alive = False

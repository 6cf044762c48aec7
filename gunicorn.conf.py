"""Gunicorn settings for the `web` role (docker/entrypoint.sh runs
`gunicorn config.wsgi:application -c gunicorn.conf.py`). Every knob comes from the environment so
one image fits any machine size; GUNICORN_CMD_ARGS can still override anything for a one-off."""

from __future__ import annotations

import os


def _cores() -> int:
    """CPUs this process may run on (respects a container's cpuset), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Listen on every interface of the container; the load balancer (or `ports:` in compose) reaches it.
bind = f"0.0.0.0:{_env_int('PORT', 8000)}"

# Stateless sync workers: 2 × cores + 1, capped at 8 per node; scale out with more nodes instead.
workers = _env_int("WEB_CONCURRENCY", min(2 * _cores() + 1, 8))
# More than one thread switches gunicorn to the gthread worker class.
threads = _env_int("GUNICORN_THREADS", 1)

timeout = 60
graceful_timeout = 30

# Behind a load balancer that terminates TLS: trust its X-Forwarded-* headers. Django itself
# trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), so the web port must be reachable only
# through the load balancer. Narrow this to the balancer's addresses where they are known.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Logs go to the container's stdout/stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Recycle workers now and then so a slow leak can never take a node down — rarely: at 1000 a busy
# node restarted a worker every few seconds and lost half its throughput (docs/benchmarks.md).
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# Load Django once in the master; restarted workers fork from it instead of importing again.
preload_app = True

# No gunicornc control socket: nothing uses it, and its default place ($HOME/.gunicorn) is not
# writable in the image and is shared by every gunicorn of one user elsewhere.
control_socket_disable = True

# Worker heartbeat files on tmpfs: a slow or full disk must not make gunicorn kill workers.
_SHM = "/dev/shm"  # noqa: S108 (gunicorn's own heartbeat files, nothing sensitive)
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

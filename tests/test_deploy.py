"""Production deployment files: Dockerfile, docker/entrypoint.sh, docker/healthcheck.py,
gunicorn.conf.py, docker-compose.yml and config.settings.production.

No Docker engine is needed: the settings, the entrypoint and gunicorn run here as they would in the
container, and the files docker reads are checked for the shape they must keep."""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"
PY = sys.executable

# Variables of the developer's or CI's shell that would change what these subprocesses see.
_SCRUBBED = {
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DEBUG",
    "STRETCH_VAR_DIR",
    "STRETCH_ROLE_FILE",
    "PORT",
    "WEB_CONCURRENCY",
    "MIGRATE_ON_START",
    "DB_WAIT_SECONDS",
    "FORWARDED_ALLOW_IPS",
    "NUM_PROXIES",
}
_SCRUBBED_PREFIXES = ("DJANGO_", "SECURE_", "GUNICORN_", "CELERY_")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED and not key.startswith(_SCRUBBED_PREFIXES)
    }
    # `python`, `gunicorn` and `celery` resolve to this interpreter's environment, as in the image.
    env["PATH"] = f"{Path(PY).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def production_env(**overrides: str) -> dict[str, str]:
    values = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "stretch.example.com",
    }
    return clean_env(**{**values, **overrides})


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Production settings ----------------------------------------------------------------------
def test_production_settings_pass_the_deployment_checklist() -> None:
    env = production_env()
    assert len(env["SECRET_KEY"]) == 60
    result = run([PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Set the SECRET_KEY environment variable"),
        ("REDIS_URL", "REDIS_URL is required with config.settings.production"),
        ("DATABASE_URL", "Set the DATABASE_URL environment variable"),
    ],
)
def test_production_settings_refuse_to_load_without_required_values(missing: str, message: str) -> None:
    env = production_env()
    del env[missing]
    result = run([PY, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_refuse_an_empty_secret_key() -> None:
    result = run([PY, "-c", "import django; django.setup()"], production_env(SECRET_KEY=" "))
    assert result.returncode != 0
    assert "SECRET_KEY must not be empty" in result.stderr


# --- gunicorn.conf.py -------------------------------------------------------------------------
def test_gunicorn_config_reads_port_and_concurrency_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:9001"
    assert config["workers"] == 3
    assert config["threads"] == 1
    assert config["timeout"] == 60
    assert config["graceful_timeout"] == 30
    assert config["forwarded_allow_ips"] == "*"
    assert config["accesslog"] == "-"
    assert (config["max_requests"], config["max_requests_jitter"]) == (10000, 1000)
    assert config["preload_app"] is True
    assert config["control_socket_disable"] is True
    shm = "/dev/shm"  # noqa: S108
    if Path(shm).is_dir():
        assert config["worker_tmp_dir"] == shm


def test_gunicorn_config_defaults(monkeypatch) -> None:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8000"
    cores = len(os.sched_getaffinity(0))
    assert config["workers"] == min(2 * cores + 1, 8)


# --- Entrypoint -------------------------------------------------------------------------------
def test_entrypoint_is_posix_sh_and_executable() -> None:
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert os.access(ENTRYPOINT, os.X_OK)
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # Every long-running role replaces the shell, so it is PID 1 and receives docker's SIGTERM.
    assert "exec gunicorn config.wsgi:application -c gunicorn.conf.py" in text
    assert "exec celery -A config worker --loglevel=INFO" in text
    assert "exec celery -A config beat --loglevel=INFO --schedule /tmp/celerybeat-schedule" in text
    assert re.search(r"seed-demo\)\s+wait_for_db\s+exec python manage.py seed_demo", text)


def test_entrypoint_passes_manage_arguments_and_runs_other_commands(tmp_path) -> None:
    env = clean_env(DJANGO_SETTINGS_MODULE="config.settings.local", STRETCH_VAR_DIR=str(tmp_path))
    result = run(["sh", str(ENTRYPOINT), "manage", "check", "--fail-level", "ERROR"], env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    result = run(["sh", str(ENTRYPOINT), "printf", "%s-%s", "a b", "c"], env)
    assert (result.returncode, result.stdout) == (0, "a b-c")


def test_entrypoint_gives_up_when_the_database_never_answers(tmp_path) -> None:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        STRETCH_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"postgres://stretch:stretch@127.0.0.1:{free_port()}/stretch",
        DB_WAIT_SECONDS="1",
    )
    started = time.monotonic()
    result = run(["sh", str(ENTRYPOINT), "migrate"], env, timeout=30)
    assert result.returncode != 0
    assert "waiting for the database" in result.stderr
    assert "database not reachable, giving up" in result.stderr
    assert time.monotonic() - started < 20


# --- The web role, for real -------------------------------------------------------------------
def _get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def web_server(tmp_path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """`entrypoint.sh web` on a loopback port: waits for the (SQLite) database, migrates it,
    then execs gunicorn with gunicorn.conf.py (GUNICORN_CMD_ARGS narrows the bind to loopback)."""
    port = free_port()
    var = tmp_path / "var"
    var.mkdir()
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        STRETCH_VAR_DIR=str(var),
        STRETCH_ROLE_FILE=str(tmp_path / "role"),
        ALLOWED_HOSTS="stretch.example.com,127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}",
    )
    log = (tmp_path / "web.log").open("w+")
    process = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "web"],
        cwd=tmp_path,  # the entrypoint finds the project by its own path
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # migrating ~80 migrations on a loaded 2-core CI machine
        while True:
            assert process.poll() is None, f"web exited early:\n{(tmp_path / 'web.log').read_text()}"
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (
                f"web never became healthy:\n{(tmp_path / 'web.log').read_text()}"
            )
            time.sleep(0.25)
        yield base, env, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):  # workers that outlived their master
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_web_role_migrates_and_serves_with_gunicorn(web_server, tmp_path) -> None:
    base, env, process = web_server

    status, body = _get(f"{base}/healthz")
    assert status == 200, body
    assert '"status": "ok"' in body
    status, body = _get(f"{base}/api/v1/ping/")
    assert status == 200, body
    assert '"pong":true' in body.replace(" ", "")
    # Host validation is on: a name outside ALLOWED_HOSTS is refused...
    assert _get(f"{base}/api/v1/ping/", host="evil.example.net")[0] == 400
    # ...except by /healthz, which load balancers probe by IP address.
    assert _get(f"{base}/healthz", host="10.0.0.7")[0] == 200
    # ...and the container healthcheck sends a Host header that is allowed.
    assert (tmp_path / "role").read_text().strip() == "web"
    probe = run([PY, str(HEALTHCHECK)], env, timeout=30)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "web: 200" in probe.stdout

    # The shell exec'd gunicorn: SIGTERM reaches it and it shuts down cleanly.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    log = (tmp_path / "web.log").read_text()
    assert "Apply all migrations" in log or "No migrations to apply" in log
    assert "Starting gunicorn" in log
    assert "control socket" not in log.lower()
    assert "GET /api/v1/ping/" in log  # access log on stdout
    assert (tmp_path / "var" / "stretch.sqlite3").exists()

    probe = run([PY, str(HEALTHCHECK)], env, timeout=30)
    assert probe.returncode == 1, probe.stdout + probe.stderr


def test_healthcheck_passes_for_roles_it_does_not_probe(tmp_path) -> None:
    env = clean_env(STRETCH_ROLE_FILE=str(tmp_path / "role"))
    assert run([PY, str(HEALTHCHECK)], env).returncode == 0  # one-off command: no role recorded
    (tmp_path / "role").write_text("beat\n")
    assert run([PY, str(HEALTHCHECK)], env).returncode == 0


# --- docker-compose.yml -----------------------------------------------------------------------
def test_compose_file_runs_the_production_shape() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "version" not in compose
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}

    web, worker, beat = services["web"], services["worker"], services["beat"]
    assert web["command"] == ["web"]
    assert worker["command"] == ["worker"]
    assert beat["command"] == ["beat"]
    shared = ("build", "image", "environment", "env_file", "depends_on")
    for key in shared:
        assert web[key] == worker[key] == beat[key], key
    assert web["build"] == "."

    environment = web["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert (
        environment["DATABASE_URL"]
        == "postgres://stretch:${POSTGRES_PASSWORD:-stretch}@postgres:5432/stretch"
    )
    assert environment["REDIS_URL"] == environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    # The image's layout wins over a laptop .env (blank STATIC_ROOT would serve the source tree).
    assert (environment["PORT"], environment["STATIC_ROOT"]) == ("8000", "/app/staticfiles")
    assert (environment["STRETCH_VAR_DIR"], environment["STRETCH_LOCALE_PATH"]) == ("/app/var", "/app/locale")
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-stretch}" in (ROOT / "docker-compose.yml").read_text()
    assert environment["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"
    assert web["env_file"] == [{"path": ".env", "required": False}]
    assert web["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert web["ports"] == ["${WEB_PORT:-8000}:8000"]

    # Web and worker scale out; beat is exactly one.
    for service in (web, worker, beat):
        assert "container_name" not in service
    assert "scale" not in beat
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "ports" not in worker and "ports" not in beat

    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert redis["image"] == "redis:7"
    assert redis["command"] == ["redis-server", "--appendonly", "yes"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}


# --- Dockerfile and the build context ---------------------------------------------------------
def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    instructions: list[str] = []
    current = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        part = line.strip().removesuffix("\\").strip()
        current = f"{current} {part}" if current else part
        if not line.rstrip().endswith("\\"):
            instructions.append(current)
            current = ""
    return instructions


def test_dockerfile_shape() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == "FROM python:3.11-slim"
    assert instructions[-2:] == ['ENTRYPOINT ["/app/docker/entrypoint.sh"]', 'CMD ["web"]']
    assert "EXPOSE 8000" in instructions
    users = [line for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split()[1].split(":")[0] not in {"root", "0"}
    healthchecks = [line for line in instructions if line.startswith("HEALTHCHECK ")]
    assert len(healthchecks) == 1 and "/app/docker/healthcheck.py" in healthchecks[0]
    runs = [line for line in instructions if line.startswith("RUN ")]
    assert any("--only-binary=:all:" in line and "requirements/lock.txt" in line for line in runs)
    env = " ".join(line for line in instructions if line.startswith("ENV "))
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env
    # Build-only placeholders sit on the collectstatic RUN line alone, never in ENV, where they
    # would let a container start without real values.
    (collect,) = [line for line in runs if "manage.py collectstatic --noinput" in line]
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert name not in env
        assert re.search(rf"\b{name}=\S*build-only", collect), name
    # Everything copied before the full COPY exists.
    for line in instructions:
        if line.startswith("COPY ") and line != "COPY . .":
            assert (ROOT / line.split()[1]).exists(), line


def test_dockerignore_keeps_local_state_out_but_not_what_the_image_needs() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip()[:1] not in {"", "#"}
    }
    for excluded in (
        ".venv",
        "var",
        ".git",
        "staticfiles",
        ".env",
        "*.sqlite3",
        "test-results",
        "bench-results",
    ):
        assert excluded in patterns
    needed = ["pyproject.toml", "requirements", "bin", "docker", "config", "manage.py", "gunicorn.conf.py"]
    needed += ["static", "templates", "locale", "teams", "goals", "plans", "tracking", "incentives", "retros"]
    for name in needed:
        assert name not in patterns and f"{name}/" not in patterns, name
        assert (ROOT / name).exists(), name


def test_image_dependencies_are_all_pinned_by_the_lock() -> None:
    """The image installs pyproject's runtime dependencies with the lock as constraints: every
    package that pulls in, transitively, must be pinned there, so builds are reproducible."""
    locked = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            locked[canonicalize_name(name)] = version.strip()
    listed = [line.strip() for line in run([PY, "bin/list_deps.py"], clean_env()).stdout.splitlines()]
    listed = [line for line in listed if line]
    assert listed, "bin/list_deps.py printed no dependencies"

    pending = [(Requirement(spec), ()) for spec in listed]
    seen: set[str] = set()
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in (extras or ("",))
        ):
            continue
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not pinned in requirements/lock.txt"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{requirement} does not admit the locked {locked[name]}"
        )
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for spec in metadata.requires(requirement.name) or []:
            pending.append((Requirement(spec), tuple(requirement.extras)))
    assert {"django", "gunicorn", "celery", "psycopg2-binary", "redis", "whitenoise"} <= {
        key.split("[")[0] for key in seen
    }

"""`make run`: web server + Celery worker + Celery beat in one terminal, with no configuration
(SQLite + Celery's filesystem broker by default). Ctrl+C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def main() -> int:
    os.chdir(ROOT)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    var = Path(env.get("STRETCH_VAR_DIR", ROOT / "var"))
    for folder in (var / "celery" / "queue", var / "celery" / "processed"):
        folder.mkdir(parents=True, exist_ok=True)

    commands = {
        "web": [PY, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        "worker": [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--pool=prefork",
        ],
        "beat": [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(var / "celerybeat-schedule"),
        ],
    }
    processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}

    from teams.demo import DEMO_PASSWORD, ROLE_LOGINS

    print("\n" + "=" * 64, flush=True)
    print(f"  Stretch is running at http://{host}:{port}/", flush=True)
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):", flush=True)
    for spec in ROLE_LOGINS:
        print(f"    {spec.role:<8} {spec.email}", flush=True)
    print(f"  Health: http://{host}:{port}/healthz · API docs: http://{host}:{port}/api/docs/", flush=True)
    print("  Worker and beat are running: see Settings → System health. Ctrl+C stops everything.", flush=True)
    print("=" * 64 + "\n", flush=True)

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    failed = [name for name, p in processes.items() if p.returncode not in (0, -signal.SIGTERM, None)]
    if failed:
        print(f"Stopped because {', '.join(failed)} exited.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    raise SystemExit(main())

# syntax=docker/dockerfile:1
# One image for every Stretch process; the command picks the role (docker/entrypoint.sh):
#   web (default): gunicorn on $PORT (8000) · worker: Celery worker · beat: Celery beat (one only)
# Build: docker build -t stretch .   Run: see docker-compose.yml and docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

# An unprivileged user with a fixed id; it owns nothing but /app/var.
RUN groupadd --system --gid 10001 stretch \
 && useradd --system --uid 10001 --gid stretch --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin stretch

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when they change. The runtime dependencies
# of pyproject.toml, pinned to the exact versions of requirements/lock.txt (which also pins the
# development tools: those stay out of the image). Wheels only: no compiler in the image.
COPY pyproject.toml ./
COPY requirements/lock.txt requirements/lock.txt
COPY bin/list_deps.py bin/list_deps.py
RUN /usr/local/bin/python -m venv /opt/venv \
 && /usr/local/bin/python bin/list_deps.py > /tmp/requirements.txt \
 && /opt/venv/bin/pip install --only-binary=:all: \
        --requirement /tmp/requirements.txt --constraint requirements/lock.txt \
 && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (WhiteNoise serves them, compressed and hashed).
# collectstatic connects to nothing: the three values below are build-only placeholders, set for
# this one command and absent from the image's environment, so production settings still demand
# real values at run time.
RUN chmod -R a+rX /app \
 && chmod 0755 docker/entrypoint.sh \
 && SECRET_KEY=build-only-placeholder-not-a-secret-collectstatic-only \
    DATABASE_URL=postgres://build-only:build-only@build-only.invalid:5432/build-only \
    REDIS_URL=redis://build-only.invalid:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var \
 && chown stretch:stretch /app/var

USER 10001:10001

EXPOSE 8000

# web: /healthz must answer 200; worker: the worker answers a Celery ping; beat: process alive.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/opt/venv/bin/python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]

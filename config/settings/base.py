"""Settings shared by every environment. Everything configurable comes from the environment
(see .env.example and the README); nothing here needs editing to deploy."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.oidc_env import openid_connect_apps

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("STRETCH_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite file and broker live here

env = environ.Env()
# A local .env is read by every process except the test suite, which must not depend on it.
if (BASE_DIR / ".env").exists() and os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.test":
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Alert webhooks may not post to loopback, private or link-local addresses unless this is on
# (a tenant admin must not be able to probe the servers' own network).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# The most values one bulk API request may carry.
TRACKING_BULK_LIMIT = env.int("TRACKING_BULK_LIMIT", default=5000)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    # Sign-in with the company's identity (docs/authentication.md). Only the OpenID Connect
    # views are routed (teams.urls); allauth's own account pages are not.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.feishu",
    "allauth.socialaccount.providers.dingtalk",
    "teams.wecom",  # WeCom (企业微信): Stretch's own small allauth provider
    "allauth.mfa",  # TOTP + recovery codes; Stretch's own pages (teams.mfa_views)
    # Stretch apps, in dependency order: an app may import only those above it.
    "teams",
    "goals",
    "plans",
    "tracking",
    "incentives",
    "recognition",
    "retros",
    "people",
]

MIDDLEWARE = [
    "teams.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "teams.middleware.BodySizeGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "teams.middleware.IdleTimeoutMiddleware",
    "teams.middleware.LanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "teams.middleware.HtmxMessagesMiddleware",
    "teams.middleware.AccessDeclarationMiddleware",
    "teams.api_http.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "teams.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: a SQLite file under var/. Production and CI: DATABASE_URL (PostgreSQL).
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'stretch.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker ----------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
    # A job whose worker died (killed, out of memory) before acknowledging it comes back after the
    # visibility timeout. It must outlast the longest job (CELERY_TASK_TIME_LIMIT) and the longest
    # countdown a job is queued with (a webhook's last retry, 8 minutes), or Redis hands such a
    # job out twice; the rescan interval is how often a worker looks for such jobs.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=6),
        "socket_connect_timeout": 3,  # a stopped broker is noticed at once, not after minutes
    }
else:
    # Embedded default: what web and worker share lives on disk under var/, never inside one
    # process (a LocMemCache would keep a signed-out session alive in another process, and a job's
    # invalidation would never reach the web server).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "filesystem://"
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem"):
        # The transport lists these folders when a job is queued; on a fresh clone the first job
        # (queued by `seed_demo`, before any worker ran) would otherwise fail.
        for _folder in ("queue", "processed", "control"):
            (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Late acknowledgement is switched on per task, only for tasks that are idempotent; such a task
# also goes back to the queue when its worker process dies (prefork child killed), rather than
# being acknowledged as failed.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=60)

# --- Auth and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Signed out after this many seconds without a request (sliding window).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 3600)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "teams.views.csrf_failure"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
LOGIN_THROTTLE_LIMIT = env.int("LOGIN_THROTTLE_LIMIT", default=10)
LOGIN_THROTTLE_WINDOW = timedelta(seconds=env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=15 * 60))
ALLOW_ORGANIZATION_CREATION = env.bool("ALLOW_ORGANIZATION_CREATION", default=True)

# --- Sign-in through django-allauth (docs/authentication.md) -----------------------------------
# The password sign-in and sign-out are allauth's views with Stretch's form (its throttle, the
# figures above, kept in the database) and templates (templates/account/). allauth adds the
# identity providers; teams.sso decides who may come in: a known identity, an account connecting one
# after signing in, or a verified e-mail at a domain an organisation verified. Never an e-mail
# match alone, and never an organisation that did not invite the person.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
ACCOUNT_ADAPTER = "teams.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "teams.sso.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_FORMS = {"login": "teams.forms.LoginForm"}
ACCOUNT_SESSION_REMEMBER = True  # no "remember me": a session lasts SESSION_COOKIE_AGE, idle timeout above
# allauth's rate limits, to the throttle's figures: the password form counts failures itself
# (per account and per address, teams.forms.LoginForm); allauth counts wrong second-factor
# codes per account with the same limit and window. Its per-address cap on every sign-in
# submission is off: behind one office NAT it would lock a whole company out at 9 o'clock.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": f"{LOGIN_THROTTLE_LIMIT}/{int(LOGIN_THROTTLE_WINDOW.total_seconds())}s/key",
}
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # a matching e-mail never signs anyone in
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False  # the provider's tokens are used once, never kept
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST (no cross-site sign-in)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Stretch"
MFA_TOTP_TOLERANCE = 1  # a code of the 30 s step before or after is accepted (clock drift), once
MFA_RECOVERY_CODE_COUNT = 10
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=10)
# Generic OpenID Connect providers (Keycloak, Authing, Entra ID, Google Workspace, …): the first
# is OIDC_SERVER_URL / OIDC_CLIENT_ID / …, more are OIDC_2_… to OIDC_9_… (config.oidc_env); each
# is configured when its issuer URL and client id are both set, and gets a button of its own.
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
if _oidc_apps := openid_connect_apps(os.environ):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {"OAUTH_PKCE_ENABLED": True, "APPS": _oidc_apps}
# Feishu (飞书) and DingTalk (钉钉), through allauth's providers: an app of the company's tenant.
FEISHU_APP_ID = env("FEISHU_APP_ID", default="")
if FEISHU_APP_ID:
    SOCIALACCOUNT_PROVIDERS["feishu"] = {
        "APPS": [{"client_id": FEISHU_APP_ID, "secret": env("FEISHU_APP_SECRET", default="")}]
    }
WECOM_CORP_ID = env("WECOM_CORP_ID", default="")
if WECOM_CORP_ID:
    SOCIALACCOUNT_PROVIDERS["wecom"] = {
        "APPS": [
            {
                "client_id": WECOM_CORP_ID,
                "secret": env("WECOM_SECRET", default=""),
                "settings": {"agent_id": env("WECOM_AGENT_ID", default="")},
            }
        ]
    }
DINGTALK_CLIENT_ID = env("DINGTALK_CLIENT_ID", default="")
if DINGTALK_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["dingtalk"] = {
        "APPS": [{"client_id": DINGTALK_CLIENT_ID, "secret": env("DINGTALK_CLIENT_SECRET", default="")}]
    }

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="") or "django.core.mail.backends.console.EmailBackend"
if env("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Stretch <stretch@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_CHOICES = LANGUAGES
LOCALE_PATHS = [Path(env("STRETCH_LOCALE_PATH", default="") or BASE_DIR / "locale")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "stretch_language"
# Numbers group by thousands in Chinese too (30,000,000): see config/formats/ and teams/numbers.py.
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
# Everything the browser loads is served by the app, never from a CDN; plotly.js is the vendored
# partial bundle in static/vendor/plotly (only the trace types Stretch draws).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Request limits ---------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bodies larger than this are refused before any view runs (uploads included).
REQUEST_MAX_BODY_SIZE = env.int("REQUEST_MAX_BODY_SIZE", default=50 * 1024 * 1024)
# Number of reverse proxies in front of the app whose X-Forwarded-For can be trusted (0 = none).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES  # allauth sees the same client address as Stretch

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts anywhere: every script is a file served by the app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # plotly.js injects <style> elements for its charts.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "teams.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, encoded by orjson (the goal tree and pages of 1,000 write 1.4-2 MB).
    "DEFAULT_RENDERER_CLASSES": ["teams.api_json.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "teams.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "teams.api_strict.StrictFilterBackend",
        "teams.api_sync.UpdatedSinceFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Per token (per user for sessions): API_RATE_LIMIT below; headers in teams.api_http.
    "DEFAULT_THROTTLE_CLASSES": ["teams.api_http.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "teams.schema.AutoSchema",
    "EXCEPTION_HANDLER": "teams.api_support.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (per signed-in user for sessions, per address without credentials) in a fixed
# window: "<number>/<s|min|hour>"; 0 turns the limit off. Counted in the shared cache (Redis).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1200/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "Stretch API",
    "DESCRIPTION": (
        "Team goal management. Every organisation-owned resource lives under "
        "/api/v1/orgs/{org_slug}/. Authenticate with a session or a personal API token "
        "(`Authorization: Token <key>`). Errors share one format: "
        '{"type", "code", "detail", "attr", "errors": [{"attr", "code", "detail"}]}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "config.settings.base.LANGUAGE_CHOICES",
        "PeriodKindEnum": "goals.models.PeriodKind",
        "SliceKindEnum": "goals.models.SLICE_KINDS",
        "SupportingMetricKindEnum": "goals.models.SupportingMetric.Kind",
        "GoalStatusEnum": "goals.models.Status",
        "InitiativeStatusEnum": "plans.models.Status",
        "IndicatorTierEnum": "tracking.models.TierReached",
        "IndicatorStatusEnum": "tracking.models.IndicatorStatus",
        "AlertStateEnum": "tracking.models.AlertState",
        "CorrectiveActionStateEnum": "tracking.models.ActionState",
        "GrowthRewardKindEnum": "recognition.models.RewardKind",
        "InstantRewardConditionEnum": "recognition.models.Condition",
        "AlertResolutionReasonEnum": "tracking.models.ResolutionReason",
        "RevisionReasonEnum": "goals.models.Revision.Reason",
        "PayoutRunStatusEnum": "incentives.models.RunStatus",
        "GoalScopeEnum": "goals.models.Scope",
        "TokenScopeEnum": "teams.models.TokenScope",
        "ServiceTokenScopeEnum": "teams.models.SERVICE_TOKEN_SCOPES",
        "AlertRuleKindEnum": "tracking.models.RuleKind",
        "RetroKindEnum": "retros.models.RetroKind",
        "RetroStateEnum": "retros.models.RetroState",
        "RetroPhaseEnum": "retros.models.Phase",
        "RetroPhaseStateEnum": "retros.models.PhaseState",
        "RetroCardKindEnum": "retros.models.CardKind",
        "RetroEvidenceKindEnum": "retros.models.EvidenceKind",
        "LessonKindEnum": "retros.models.LessonKind",
        "RetroActionStatusEnum": "retros.models.ActionStatus",
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusal_on_one_line": {"()": "teams.log_filters.RefusalOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # a 403 is one line (path and reason), not a traceback: see teams/log_filters.py
        "django.request": {"filters": ["refusal_on_one_line"]},
    },
}

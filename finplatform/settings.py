"""One settings module, read from the environment.

Defaults are safe for production: DEBUG is off, a SECRET_KEY must be given, cookies are secure
and HSTS is on. `DJANGO_ENV=dev` (what `bin/dev` sets) and `DJANGO_ENV=test` (what `bin/test`
sets) relax only what a laptop needs. Every variable is listed in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from finplatform import logconfig
from finplatform.env import database_from_url, django_env, env_bool, env_list, env_rate

BASE_DIR = Path(__file__).resolve().parent.parent

ENV = django_env()
LOCAL = ENV in {"dev", "test"}


DEBUG = env_bool("DEBUG", ENV == "dev")
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-local-only-key-finplatform-dev-and-test-0123456789abcdef" if LOCAL else None
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set outside DJANGO_ENV=dev/test")

# Fernet keys for encrypted model fields (finplatform.encryption): the first encrypts, all
# decrypt. Required in production (a system check and the first use refuse to run without);
# dev and test use a fixed key that protects nothing.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or (
    ["ZGV2LWFuZC10ZXN0LW9ubHktZmllbGQta2V5LTAwMDA="] if LOCAL else []
)

# Uploaded documents (finplatform.uploads): at most this many bytes; the proxy's request body
# limit (deploy/Caddyfile, 12 MB) stays above it so the application gives the clear error.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if LOCAL else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "finplatform",
    "borrowers",
    "creditors",
    "bureau_gateway",
    "schedules",
    "resolution",
    "portal",
    "provider_api",
    "outbox",
    "creditor_portal",
    "ombudsman",
]

MIDDLEWARE = [
    "finplatform.health.HealthMiddleware",  # /healthz, /readyz: before host checks and sessions
    "finplatform.requestid.RequestIdMiddleware",
    "finplatform.metrics.RequestMetricsMiddleware",
    "finplatform.middleware.NulByteMiddleware",  # ?q=%00 is a 400, not a database error
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # outside sessions (it sees their Vary/Set-Cookie); static files never reach it
    "finplatform.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "finplatform.middleware.UserLanguageMiddleware",
    "finplatform.middleware.DatabaseUnavailableMiddleware",
]

# The payment provider's endpoints (finplatform/wsgi.py): machines with an API key, no cookies.
BROWSER_ONLY_MIDDLEWARE = {
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "finplatform.middleware.UserLanguageMiddleware",
}
MACHINE_API_MIDDLEWARE = [m for m in MIDDLEWARE if m not in BROWSER_ONLY_MIDDLEWARE]

ROOT_URLCONF = "finplatform.urls"
WSGI_APPLICATION = "finplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "finplatform.context_processors.roles",
                "finplatform.context_processors.dev_clock",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "postgresql://finplatform@localhost:5432/finplatform")
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):  # heavy reads only (finplatform/replica.py)
    DATABASES["replica"] = {**database_from_url(os.environ["DATABASE_REPLICA_URL"]),
                            "TEST": {"MIRROR": "default"}}  # fmt: skip
DATABASE_ROUTERS = ["finplatform.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "borrowers.auth.IINBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- language, time, money ---
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["finplatform.formats"]
TIME_ZONE = "Asia/Almaty"  # the platform's business zone (UTC+5)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
WHITENOISE_USE_FINDERS = LOCAL  # dev/test serve straight from static/, no collectstatic
WHITENOISE_AUTOREFRESH = LOCAL
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Redis, Celery, outbox: finplatform/settings_celery.py ---
from finplatform.settings_celery import *  # noqa: E402, F403

# The dev clock (finplatform/devclock.py): on in dev, off in tests unless asked, never in prod
DEV_CLOCK = LOCAL and env_bool("DEV_CLOCK", ENV == "dev")

# --- outside systems: each adapter is chosen here; nothing else knows which runs ---
SIMULATOR_URL = os.environ.get("SIMULATOR_URL", "http://127.0.0.1:8900")
BUREAU_URL = os.environ.get("BUREAU_URL", f"{SIMULATOR_URL}/bureau")
ADAPTER_TIMEOUT_SECONDS = float(os.environ.get("ADAPTER_TIMEOUT_SECONDS", "5"))
# In-client retries of one call on connection errors and 5xx, with exponential backoff; the
# eligibility task retries again on top (minutes apart in production, seconds in tests).
ADAPTER_RETRIES = int(os.environ.get("ADAPTER_RETRIES", "2"))
ADAPTER_RETRY_BACKOFF_SECONDS = float(
    os.environ.get("ADAPTER_RETRY_BACKOFF_SECONDS", "0.05" if ENV == "test" else "0.5")
)
GOVERNMENT_URL = os.environ.get("GOVERNMENT_URL", f"{SIMULATOR_URL}/government")
IDENTITY_URL = os.environ.get("IDENTITY_URL", f"{SIMULATOR_URL}/identity")
SMS_URL = os.environ.get("SMS_URL", f"{SIMULATOR_URL}/sms")
# The eligibility check retries an unavailable bureau: countdown = base * 2**attempt.
ELIGIBILITY_RETRY_BACKOFF_SECONDS = int(
    os.environ.get("ELIGIBILITY_RETRY_BACKOFF_SECONDS", "1" if ENV == "test" else "60")
)
ELIGIBILITY_MAX_RETRIES = int(os.environ.get("ELIGIBILITY_MAX_RETRIES", "6"))
# One-time codes for identification.
OTP_TTL_SECONDS = int(os.environ.get("OTP_TTL_SECONDS", "300"))
OTP_MAX_ATTEMPTS = int(os.environ.get("OTP_MAX_ATTEMPTS", "5"))
# name -> dotted path of a zero-argument factory (see bureau_gateway.adapters). The HTTP
# clients talk to whatever URL they are given: the simulators in dev/test, the real services
# in production.
ADAPTERS = {
    "bureau": os.environ.get("ADAPTER_BUREAU", "bureau_gateway.clients.HttpCreditBureau"),
    "government": os.environ.get("ADAPTER_GOVERNMENT", "bureau_gateway.clients.HttpGovernmentData"),
    "identity": os.environ.get("ADAPTER_IDENTITY", "bureau_gateway.clients.HttpIdentityProvider"),
    "sms": os.environ.get("ADAPTER_SMS", "bureau_gateway.clients.HttpSmsGateway"),
    "webhooks": os.environ.get("ADAPTER_WEBHOOKS", "bureau_gateway.webhooks.HttpWebhookSender"),
}

# The case page polls the check's status with a growing wait (static/js/app.js) and stops
# after this long, saying to come back later; the check itself goes on.
PORTAL_POLL_STOP_SECONDS = int(os.environ.get("PORTAL_POLL_STOP_SECONDS", "600"))

# The borrower portal's simulated "pay" button (books through the real payment service).
PORTAL_SIMULATED_PAYMENTS = env_bool("PORTAL_SIMULATED_PAYMENTS", LOCAL)
# Where borrowers pay (shown with a QR code on the schedule page); demo values by default.
PAYMENT_DETAILS = {
    "recipient": os.environ.get("PAYMENT_RECIPIENT", "ТОО «Финкелисим» (демо)"),
    "bin": os.environ.get("PAYMENT_BIN", "990440000017"),
    "iban": os.environ.get("PAYMENT_IBAN", "KZ909980000000000123"),
    "bank": os.environ.get("PAYMENT_BANK", "Демо-банк, БИК DEMOKZKA"),
    "knp": os.environ.get("PAYMENT_KNP", "421"),
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "finplatform.devmail.DevInboxBackend"  # console + the dev inbox page
            if ENV == "dev"
            else "django.core.mail.backends.locmem.EmailBackend"
            if ENV == "test"
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@finkelisim.kz")

# --- resolution workflow policy (SPEC: numbers marked "policy"; defaults as shipped) ---
RESOLUTION_POLICY = {
    # creditors answer within N Kazakhstan business days (weekends and public holidays skipped)
    "CONFIRMATION_BUSINESS_DAYS": int(os.environ.get("CONFIRMATION_BUSINESS_DAYS", "5")),
    # after the deadline a silent creditor is reminded once; after this many more hours its
    # bureau figures are deemed confirmed (off: the ombudsman waits for an answer)
    "DEEMED_CONFIRMATION": env_bool("DEEMED_CONFIRMATION", True),
    "DEEMED_AFTER_HOURS": int(os.environ.get("DEEMED_AFTER_HOURS", "24")),
    "SIGNING_WINDOW_HOURS": int(os.environ.get("SIGNING_WINDOW_HOURS", "72")),
    # a plan variation: creditors may object within N working days; silence is consent
    "VARIATION_OBJECTION_DAYS": int(os.environ.get("VARIATION_OBJECTION_DAYS", "10")),
    "SIGNING_CODE_TTL_MINUTES": int(os.environ.get("SIGNING_CODE_TTL_MINUTES", "10")),
    "SIGNING_CODE_MAX_ATTEMPTS": int(os.environ.get("SIGNING_CODE_MAX_ATTEMPTS", "5")),
    # the mediator's fee is paid by the ombudsmen for agreements signed before this date
    "MEDIATOR_FEE_BORROWER_FROM": os.environ.get("MEDIATOR_FEE_BORROWER_FROM", "2027-01-01"),
    "MEDIATOR_NAME": os.environ.get("MEDIATOR_NAME", "Медиатор Финкелисим"),
    "MEDIATOR_FEE_TIYN": int(os.environ.get("MEDIATOR_FEE_TIYN", "1000000")),
    "FIRST_DUE_DAYS": int(os.environ.get("FIRST_DUE_DAYS", "30")),
    # debt-burden ratio warning thresholds (informational, SPEC section 5)
    "KDN_LIMIT": os.environ.get("KDN_LIMIT", "0.5"),
    "KDN_LIMIT_LONG_OVERDUE": os.environ.get("KDN_LIMIT_LONG_OVERDUE", "0.25"),
    "WEBHOOK_MAX_ATTEMPTS": int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8")),
}
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
# Outgoing webhooks go only to public https addresses (bureau_gateway.webhooks.guard_url). Only
# dev/test may relax that, for the receivers on 127.0.0.1 the tests and bin/dev run.
WEBHOOK_ALLOW_HTTP = LOCAL and env_bool("WEBHOOK_ALLOW_HTTP", True)
WEBHOOK_ALLOW_LOOPBACK = LOCAL and env_bool("WEBHOOK_ALLOW_LOOPBACK", True)

# --- borrower service around the schedule (SPEC §3, §7) ---
# Reminders N days before each due date (policy): the sweep sends the stage the instalment is in
# now (the smallest N >= days left), each (instalment, stage) once.
DUE_REMINDER_DAYS = tuple(
    sorted({int(n) for n in os.environ.get("DUE_REMINDER_DAYS", "7,3,1").split(",") if n.strip()})
)

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "creditor_portal.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "finplatform.errors.api_exception_handler",
    # DRF's three, JSON with a nesting limit: 400 `parse_error`, never a RecursionError
    "DEFAULT_PARSER_CLASSES": [
        "finplatform.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # per API key (the provider's views name their own); finplatform/ratelimit.py
    "DEFAULT_THROTTLE_CLASSES": ["creditor_portal.api.throttles.CreditorKeyThrottle"],
}
# API rate limits (finplatform/ratelimit.py), in limits' notation ("600/minute"): requests per
# creditor API key, per payment-provider key (month-end runs post 500+ payments a second on
# one key), and failed API-key checks per client address. Counted in Redis (the cache's
# database unless given); Redis unavailable = not limited (fail open), never refused.
API_RATE_LIMIT_CREDITOR = env_rate("API_RATE_LIMIT_CREDITOR", "600/minute")
API_RATE_LIMIT_PROVIDER = env_rate("API_RATE_LIMIT_PROVIDER", "60000/minute")
API_RATE_LIMIT_FAILED_AUTH = env_rate("API_RATE_LIMIT_FAILED_AUTH", "30/minute")
API_RATE_LIMIT_REDIS_URL = os.environ.get("API_RATE_LIMIT_REDIS_URL", CACHE_REDIS_URL)  # noqa: F405
API_RATE_LIMIT_REDIS_TIMEOUT_SECONDS = float(
    os.environ.get("API_RATE_LIMIT_REDIS_TIMEOUT_SECONDS", "0.2")
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Finkelisim creditor API",
    "DESCRIPTION": "Cases, loans, confirmations and payouts for creditor back offices.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: works offline and under our CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "resolution.models.CaseStatus",
        "ConfirmationStatusEnum": "resolution.models.ConfirmationStatus",
        "WebhookDeliveryStatusEnum": "creditors.models.WebhookDelivery.Status",
        "PaymentStatusEnum": "schedules.models.PaymentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "finplatform.errors.document_rate_limits",  # 429 with Retry-After on every operation
    ],
}

# --- security (Django deployment checklist) ---
# Sessions and the sign-in counters live in PostgreSQL: sign-in works while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_SECURE = not LOCAL
CSRF_COOKIE_SECURE = not LOCAL
CSRF_FAILURE_VIEW = "finplatform.views.csrf_failure"  # branded page; /api/: the error body
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
# Trust X-Forwarded-Proto only behind the TLS proxy of docker-compose.yml: gunicorn is
# reachable from that proxy alone (no published port, --forwarded-allow-ips), and the proxy
# overwrites the header a client sent. Anywhere else a client could claim "https".
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
# Addresses (or CIDR networks) of the reverse proxies in front of the app, nearest last.
# Only from them is X-Forwarded-For read for the client address (finplatform/signin.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
SECURE_HSTS_SECONDS = 0 if LOCAL else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL
SECURE_HSTS_PRELOAD = not LOCAL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the PDF preview view opts in with @xframe_options_sameorigin

# Content Security Policy (Django's built-in support): only our own scripts, with a nonce for
# the few inline ones; no plugins; frames only from ourselves (the PDF preview).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

# JSON lines in production, text in dev and tests (LOG_FORMAT=json|text overrides); the
# worker logs through this configuration too, not Celery's own (finplatform/logconfig.py).
LOGGING = logconfig.build(
    json_logs=os.environ.get("LOG_FORMAT", "text" if LOCAL else "json") == "json",
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The Prometheus endpoint /metrics (finplatform/metrics.py): a bearer token (none = refused
# to all) and optionally an address allow-list; packages "near" their signing deadline.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "")
METRICS_SIGNING_SOON_HOURS = int(os.environ.get("METRICS_SIGNING_SOON_HOURS", "12"))

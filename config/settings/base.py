"""Settings shared by every environment. Environment-specific files import * from here."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PACTES_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-dev-key-change-me-in-production")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "axes",
    "mozilla_django_oidc",
    "pactes.core",
    "pactes.outbox",
    "pactes.accounts",
    "pactes.territories",
    "pactes.calls",
    "pactes.organisations",
    "pactes.dossiers",
    "pactes.instruction",
    "pactes.assessment",
    "pactes.committee",
    "pactes.agreements",
    "pactes.followup",
    "pactes.ds",  # import of dossiers from démarches simplifiées
    "pactes.demo",  # on top of every app: the demonstration data and `setup_demo`
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "pactes.web.core.input_guard.NullCharacterGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pactes" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pactes.core.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pactes.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pactes.accounts.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): 5 failures per account and address, locked 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True

# ProConnect (OpenID Connect) — enabled only when configured; see docs/proconnect.md.
PROCONNECT_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email given_name usual_name siret"
_OIDC_BASE = os.environ.get("OIDC_OP_BASE_URL", "https://auth.agentconnect.gouv.fr/api/v2")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_OIDC_BASE}/authorize")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", f"{_OIDC_BASE}/token")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", f"{_OIDC_BASE}/userinfo")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", f"{_OIDC_BASE}/jwks")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", f"{_OIDC_BASE}/session/end")
OIDC_CREATE_USER = False  # ProConnect logs in accounts that an administrator created beforehand.
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
if PROCONNECT_ENABLED:
    AUTHENTICATION_BACKENDS.append("pactes.accounts.oidc.ProConnectBackend")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "pactes" / "static"]
# Uploaded pieces live outside the web root and are only ever served through scoped views.
MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = None

MAILERS = {"default": {"BACKEND": os.environ.get("PACTES_MAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pactes <ne-pas-repondre@pactes.example.gouv.fr>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MESSAGE_TAGS = {10: "info", 20: "info", 25: "success", 30: "warning", 40: "error"}

# The calls shipped with the platform (versioned YAML files, see pactes/calls/data/).
PACTES_CALLS_DIR = BASE_DIR / "pactes" / "calls" / "data"
# How often the editor saves the step being typed in the background (dossier.js), in seconds.
PACTES_AUTOSAVE_SECONDS = 15

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"pactes": {"level": "INFO"}},
}

# ProConnect views are public (LoginRequiredMiddleware) and logout also ends the ProConnect session.
OIDC_AUTHENTICATE_CLASS = "pactes.accounts.oidc.ProConnectAuthenticationRequestView"
OIDC_CALLBACK_CLASS = "pactes.accounts.oidc.ProConnectCallbackView"
OIDC_STORE_ID_TOKEN = True
# One lockout counter per address, whatever its letter case.
AXES_USERNAME_CALLABLE = "pactes.accounts.throttling.lockout_username"

# Background tasks (reminders): Django's tasks framework on the database; worker: `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Pieces attached to a dossier: at most 10 Mo each.
PACTES_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# Error pages (issue 8, « no 500 on any input »): an expired form gets a French page that says nothing was saved;
# 400/403/404/500 are config.urls' handlers (pactes/web/core/errors.py).
CSRF_FAILURE_VIEW = "pactes.web.core.errors.csrf_failure"

# -- Filing at the deadline (issue 8, ADR 0012) ---------------------------------------------------------------------
# First middleware: ``request.arrived_at``, the moment the request reached the server (config/asgi.py stamps it
# before the request can wait for a thread; without a stamp, the moment this middleware runs).
MIDDLEWARE = ["pactes.web.arrival.ArrivalMiddleware", *MIDDLEWARE]
# Front proxies whose X-Request-Start header is believed (addresses or networks, comma-separated); none by default.
PACTES_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("PACTES_TRUSTED_PROXIES", "").split(",") if p.strip()]
# A proxy's stamp older than this many seconds is not believed (the server's own stamp is used instead).
PACTES_ARRIVAL_MAX_WAIT = 300
# Requests one server worker handles at once under ASGI; the others wait, already stamped.
PACTES_ASGI_CONCURRENCY = int(os.environ.get("PACTES_ASGI_CONCURRENCY", "4"))
# A receipt still being prepared this many seconds after its filing is rendered on demand by whoever asks for it.
PACTES_RECEIPT_GRACE_SECONDS = 120

# Uploads (docs/uploads.md, ADR 0011): bodies capped while they arrive, contents inspected, ClamAV when configured.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2,5 Mo of form fields (files are not counted here)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_048_576  # a larger file waits in a temporary file, not in the worker's memory
FILE_UPLOAD_HANDLERS = [
    "pactes.web.uploads.SizeLimitUploadHandler",  # first: stops the body once a file passes the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MIDDLEWARE = [*MIDDLEWARE, "pactes.web.uploads.UploadSizeLimitMiddleware"]  # after messages and CSRF
PACTES_UPLOAD_MARGIN_BYTES = 256 * 1024  # the form around the file: a multipart body may announce the limit + this
PACTES_ARCHIVE_MAX_ENTRIES = 2000  # ODT, DOCX, XLSX: entries of the ZIP container
PACTES_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all entries once inflated
PACTES_ARCHIVE_MAX_RATIO = 100  # inflated / compressed size of one entry over 1 Mo (Apache POI's default)
CLAMAV_SOCKET = os.environ.get("CLAMAV_SOCKET", "")  # e.g. /run/clamav/clamd.ctl; without it nor a host, no antivirus
CLAMAV_HOST = os.environ.get("CLAMAV_HOST", "")
CLAMAV_PORT = int(os.environ.get("CLAMAV_PORT", "3310"))
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "30"))  # seconds to connect, send and get the verdict

# Import of dossiers from démarches simplifiées (pactes.ds, ADR 0038): DS's public GraphQL API v2 by default, another
# instance (or the tests' fake server) by DS_API_URL or --url. The token is read from the environment only.
DS_API_URL = os.environ.get("DS_API_URL", "https://www.demarches-simplifiees.fr/api/v2/graphql")
DS_API_TOKEN = os.environ.get("DS_API_TOKEN", "")
DS_API_TIMEOUT_SECONDS = 30
DS_PAGE_SIZE = 100  # what we ask for; DS may return fewer, the import follows pageInfo whatever the size

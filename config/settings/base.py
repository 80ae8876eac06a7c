"""Settings shared by every environment. Environment-specific files import * from here."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP

from pactes.core.deployment import cache_settings, default_storage_settings, session_engine
from pactes.core.monitoring import sentry_init

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
    "pactes.accounts.apps.LoginThrottlingConfig",  # django-axes, with a French name in the administration
    "django_otp",
    "pactes.accounts.apps.TotpDevicesConfig",  # django_otp.plugins.otp_totp, with a French name in the admin
    "pactes.accounts.apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static (recovery codes)
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
    "pactes.privacy",
    "pactes.api",  # personal access tokens and the log of the REST API (the API itself is pactes/web/api)
    "pactes.evidence",  # field history (django-simple-history) of the money and decisions, above the business apps
    "simple_history",
    "pactes.exports",
    "pactes.ds",  # import of dossiers from démarches simplifiées
    "pactes.demo",  # on top of every app: the demonstration data and `setup_demo`
    "pactes.core.apps.BackgroundTasksConfig",  # django_tasks_db, with a French name in the administration
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "pactes.web.core.input_guard.NullCharacterGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pactes.web.accounts.sessions.SessionExpiryMiddleware",  # after messages: an expired session says so
    "pactes.web.accounts.second_factor.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "pactes.web.accounts.sessions.session_expiry",
                "django.template.context_processors.csp",
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

# Login throttling (django-axes, ADR 0025): failures are counted per account AND per client address, each with its
# own limit; reaching either locks for AXES_COOLOFF_TIME hours (15 minutes). AXES_FAILURE_LIMIT is the limit per
# account; PACTES_LOGIN_FAILURES_PER_ADDRESS the limit per address (an office behind one address has many people).
AXES_FAILURE_LIMIT = int(os.environ.get("PACTES_LOGIN_FAILURES_PER_ACCOUNT", "5"))
PACTES_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("PACTES_LOGIN_FAILURES_PER_ADDRESS", "50"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "pactes.accounts.throttling.AccountAndAddressHandler"
# The client address: REMOTE_ADDR, or, from a proxy of PACTES_TRUSTED_PROXIES only, PACTES_CLIENT_IP_HEADER.
AXES_CLIENT_IP_CALLABLE = "pactes.core.client_address.client_ip"
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

# -- Accounts for the real world: sign-up, organisations, personal data (issue 10, ADR 0020–0022) -------------------
# A new account confirms its address through a link valid this long, used once.
PACTES_EMAIL_CONFIRMATION_HOURS = 24
# Sign-up and password reset: at most this many requests per client address and per e-mail typed, per window.
PACTES_EMAIL_REQUEST_LIMIT = int(os.environ.get("PACTES_EMAIL_REQUEST_LIMIT", "5"))
PACTES_EMAIL_REQUEST_WINDOW_SECONDS = 3600
# The State's open SIRENE search (API « Recherche d'entreprises », no key): base URL and timeout in seconds.
PACTES_SIRENE_BASE_URL = os.environ.get("PACTES_SIRENE_BASE_URL", "https://recherche-entreprises.api.gouv.fr")
PACTES_SIRENE_TIMEOUT = float(os.environ.get("PACTES_SIRENE_TIMEOUT", "5"))
# An invitation to co-edit a dossier can be accepted this many days, by the invited address only.
PACTES_INVITATION_DAYS = 7
# Account e-mails (confirmation, password reset) are not about one call: their subject starts with this prefix.
PACTES_ACCOUNT_SUBJECT_PREFIX = os.environ.get("PACTES_ACCOUNT_SUBJECT_PREFIX", "Pactes")
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link is valid one day (and once: the password changes)
# The public address of the site, for links in e-mails sent without a request (retention reminders).
PACTES_SITE_URL = os.environ.get("PACTES_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# -- Strong authentication and sessions (issue 10, ADR 0023 and 0024) ---------------------------------------------
# Staff (instructor, DREETS, jury, administrator) confirm every login with a TOTP code (django-otp) or a recovery code;
# the issuer names Pactes in the authenticator app.
OTP_TOTP_ISSUER = "Pactes"
PACTES_RECOVERY_CODES = 10  # single-use recovery codes given at enrolment
# ProConnect logins count as strong authentication when the ID token says so: one of these `acr` values, or one of
# these `amr` methods.
PACTES_PROCONNECT_STRONG_ACR = ["eidas2", "eidas3"]
PACTES_PROCONNECT_STRONG_AMR = ["mfa"]
# Sessions end after this many seconds without a request (staff / applicants) and, for staff, this long after login.
PACTES_SESSION_STAFF_IDLE_SECONDS = int(os.environ.get("PACTES_SESSION_STAFF_IDLE_SECONDS", str(30 * 60)))
PACTES_SESSION_STAFF_MAX_SECONDS = int(os.environ.get("PACTES_SESSION_STAFF_MAX_SECONDS", str(12 * 3600)))
PACTES_SESSION_APPLICANT_IDLE_SECONDS = int(os.environ.get("PACTES_SESSION_APPLICANT_IDLE_SECONDS", str(2 * 3600)))
# The page warns this many seconds before the end (aria-live) and the editor saves what is typed.
PACTES_SESSION_WARNING_SECONDS = 5 * 60
SESSION_COOKIE_AGE = PACTES_SESSION_STAFF_MAX_SECONDS  # the cookie never outlives the longest session
# Header that a proxy of PACTES_TRUSTED_PROXIES sets with the client's address (never read from anyone else).
PACTES_CLIENT_IP_HEADER = os.environ.get("PACTES_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
# -- REST API (/api/v1/, ADR 0035) -----------------------------------------------------------------------------------
# Requests a caller may make per window of PACTES_API_RATE_WINDOW seconds: per token (or per session user), and per
# address for anonymous callers of the public endpoints; beyond, HTTP 429 with Retry-After.
PACTES_API_RATE_LIMITS = {"token": 600, "anonymous": 120}
PACTES_API_RATE_WINDOW = 60
PACTES_API_TOKEN_MAX_DAYS = 365  # longest validity of a personal access token
PACTES_API_PAGE_SIZE = 50  # dossiers per page of /api/v1/dossiers (``limit``: 1 to PACTES_API_PAGE_MAX)
PACTES_API_PAGE_MAX = 200
# GeoJSON of the map (/territoires/carte/): contours change once a year, kept in the cache this many seconds.
PACTES_MAP_CACHE_SECONDS = 24 * 3600
# -- Security headers (README « En-têtes de sécurité », ADR 0031) ----------------------------------------------------
# Content-Security-Policy: Django's own middleware. Scripts, styles, fonts and images come from the platform itself
# (django-dsfr's files, our pactes/static/, vendored libraries under pactes/static/vendor/); an inline <script> needs
# the request's nonce (``{{ csp_nonce }}``); no inline event handler, no style="" attribute, no eval. ``data:`` images:
# the DSFR's CSS draws some icons from data: URIs. A page that needs another origin (a map's tiles) adds it here.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
    "pactes.web.core.headers.PermissionsPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("pactes.web.core.headers.PermissionsPolicyMiddleware") + 1,
    "pactes.web.core.headers.DsfrNonceMiddleware",
)
_PROCONNECT_ORIGINS = sorted(
    {"{0.scheme}://{0.netloc}".format(urlsplit(u)) for u in (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_LOGOUT_ENDPOINT)}
)
PACTES_CSP_EXTRA_IMG_SRC = [o for o in os.environ.get("PACTES_CSP_IMG_SRC", "").split() if o]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *PACTES_CSP_EXTRA_IMG_SRC],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Forms post to the platform only; logging in and out with ProConnect redirects to its pages.
    "form-action": [CSP.SELF, *(_PROCONNECT_ORIGINS if PROCONNECT_ENABLED else [])],
}
# Browser features no page uses: refused to every page and every frame.
PACTES_PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "autoplay": "()",
    "camera": "()",
    "display-capture": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "usb": "()",
    "browsing-topics": "()",
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# -- Error monitoring: Sentry only when SENTRY_DSN is set, personal data scrubbed (pactes/core/monitoring.py) ---------
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
# Evidence (docs/evidence.md): the RFC 3161 timestamping authority of the journal's daily chain head, e.g.
# https://horodatage.example.gouv.fr/tsa; without it the chain head is not timestamped (`manage.py timestamp_journal`).
TSA_URL = os.environ.get("TSA_URL", "")
# Exports (ADR 0033): above this number of dossiers an export is a background job on « Mes exports »; its file is
# kept this many days, then deleted by `manage.py exports_purge` (daily).
PACTES_EXPORT_BACKGROUND_THRESHOLD = int(os.environ.get("PACTES_EXPORT_BACKGROUND_THRESHOLD", "2000"))
PACTES_EXPORT_RETENTION_DAYS = 7
# Import of dossiers from démarches simplifiées (pactes.ds, ADR 0038): DS's public GraphQL API v2 by default, another
# instance (or the tests' fake server) by DS_API_URL or --url. The token is read from the environment only.
DS_API_URL = os.environ.get("DS_API_URL", "https://www.demarches-simplifiees.fr/api/v2/graphql")
DS_API_TOKEN = os.environ.get("DS_API_TOKEN", "")
DS_API_TIMEOUT_SECONDS = 30
DS_PAGE_SIZE = 100  # what we ask for; DS may return fewer, the import follows pageInfo whatever the size
# -- Several machines (issue 12, ADR 0046 and 0047, docs/deployment.md) ----------------------------------------------
# The shared cache: Redis when REDIS_URL is set (rate limits, API counters, map, reference data seen by every server),
# the process's memory otherwise (one server). Sessions stay in the database, read through Redis when there is one.
REDIS_URL = os.environ.get("REDIS_URL", "")
PACTES_CACHE_KEY_PREFIX = os.environ.get("PACTES_CACHE_KEY_PREFIX", "pactes")
CACHES = cache_settings(REDIS_URL, key_prefix=PACTES_CACHE_KEY_PREFIX)
SESSION_ENGINE = session_engine(CACHES)
# Uploaded and generated files: a private S3-compatible bucket when PACTES_S3_BUCKET is set, MEDIA_ROOT otherwise.
STORAGES = {
    "default": default_storage_settings(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reference data computed from the database (eligible lists, names of the départements) is kept this long in the
# shared cache; a change made through the platform replaces it at once (pactes/core/reference_cache.py).
PACTES_REFERENCE_CACHE_SECONDS = int(os.environ.get("PACTES_REFERENCE_CACHE_SECONDS", "3600"))

"""Settings shared by every environment; each value can come from the environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
import django_stubs_ext

from detoxflow.settings.env import env_bool, env_int, env_list, env_str

# Lets ModelForm[Patient] and QuerySet[Event] be written at runtime as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The development key is public on purpose; production.py refuses to start without its own.
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# No django.contrib.admin: it was a second sign-in door past the lockout, two-factor and audit trail;
# administration has its own screens (accounts/) behind the one sign-in.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "detoxflow.web",
    "detoxflow.facilities",
    "detoxflow.accounts",
    "detoxflow.patients",
    "detoxflow.episodes",
    "detoxflow.admissions",
    "detoxflow.intake",
    "detoxflow.assessments",
    "detoxflow.medications",
    "detoxflow.directory",
    "detoxflow.aftercare",
    "detoxflow.consent",
    "detoxflow.interop",
    "detoxflow.audit",
    "detoxflow.jobs",
    "detoxflow.demo",
]

MIDDLEWARE = [
    "detoxflow.web.middleware.RequestId",
    "django.middleware.security.SecurityMiddleware",
    "detoxflow.web.middleware.SecurityHeaders",
    "detoxflow.web.middleware.RefuseNulCharacters",
    "detoxflow.web.middleware.RefuseDeepJson",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "detoxflow.web.middleware.IdleLogout",
    "detoxflow.web.middleware.LoginRequiredEverywhere",
    "detoxflow.web.middleware.TabletLock",
    "detoxflow.web.middleware.SecondFactorRequired",
    "detoxflow.web.middleware.PasswordChangeRequired",
    # Last, as axes asks: it reads the request attributes the sign-in checks set.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "detoxflow.urls"
WSGI_APPLICATION = "detoxflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "detoxflow.web.context_processors.permissions",
                "detoxflow.web.context_processors.patient_banner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'detoxflow.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# In the spirit of NIST SP 800-63B-4: length (12 for every role; 800-63B asks 15 where a password is the only
# factor and 8 with a second one), a common-password list, no composition rules, no forced periodic change.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# axes' backend comes first: it refuses a locked account before any password is compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout (django-axes, database-backed so every worker counts the same failures): this many wrong
# passwords or codes for one account lock it for this long; a completed sign-in resets the count.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Failures (never successes) accepted from one client address per window, across accounts: password spraying.
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
# How many reverse proxies in front of DetoxFlow append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "detoxflow.audit.services.client_address"
AXES_LOCKOUT_CALLABLE = "detoxflow.accounts.authentication.lockout_response"
AXES_VERBOSE = False
# axes.W006 asks for ip_address among the lockout parameters: with it, one address's failures would lock
# everyone behind a hospital NAT. Address throttling is a separate, higher limit (LOGIN_FAILURES_PER_ADDRESS)
# counted from axes' own failure log in accounts/authentication.py.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Authenticator apps show this name beside the account.
OTP_TOTP_ISSUER = "DetoxFlow"
# django-otp's own per-device delay is off: wrong codes are counted by the axes lockout and the per-address
# limit like wrong passwords, and a second delay would refuse a retyped right code as if it were wrong.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# The public get-help page: call-back requests accepted per client address per hour.
GET_HELP_REQUESTS_PER_HOUR = env_int("GET_HELP_REQUESTS_PER_HOUR", 5)
# One process by default; several workers need a shared cache (e.g. database or Redis) for the limit to hold.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "detoxflow"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True
# One way of writing dates and times across pages, papers and messages: the weekday and day-month order read
# the same to every reader (no 03/04 ambiguity), and the 24-hour clock is the ward's. Django prefers a
# locale's formats to these settings, so FORMAT_MODULE_PATH hands them back (detoxflow/web/formats).
DATE_FORMAT = "D j M Y"  # Mon 2 Nov 2026
DATETIME_FORMAT = "D j M Y, H:i"  # Mon 2 Nov 2026, 15:04
TIME_FORMAT = "H:i"  # 15:04
SHORT_DATE_FORMAT = "D j M"  # Mon 2 Nov: within a stay, where the year goes without saying
SHORT_DATETIME_FORMAT = "D j M, H:i"  # Mon 2 Nov, 15:04
FORMAT_MODULE_PATH = ["detoxflow.web.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one nursing shift
# An unattended workstation signs itself out (issue 7); a shared tablet should use a short value.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# How long a "break the glass" grant lets a user read a patient outside their unit.
EMERGENCY_ACCESS_HOURS = env_int("EMERGENCY_ACCESS_HOURS", 4)
# One-time codes: required for every clinical role when true (off for the demo, on in production).
REQUIRE_TOTP = env_bool("REQUIRE_TOTP", False)
# Bounded inputs (issue 13). JSON bodies nested deeper than this are refused before parsing: Python's parser
# recurses, and a 100,000-deep FHIR Bundle exhausted the stack. Real FHIR resources nest about 10 levels.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 64)
# One directory CSV import: a larger file or more rows is refused whole. A county's resources fit in a few
# thousand rows; 250,000 held a worker for 51 seconds.
DIRECTORY_IMPORT_MAX_BYTES = env_int("DIRECTORY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
DIRECTORY_IMPORT_MAX_ROWS = env_int("DIRECTORY_IMPORT_MAX_ROWS", 10_000)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Audit trail: each event's hash is keyed with AUDIT_HMAC_KEY, which lives only in the environment, never in
# the database (the development default is derived from SECRET_KEY; production.py requires its own). Every
# AUDIT_CHECKPOINT_EVERY events a chain's head is appended, signed, to AUDIT_CHECKPOINT_FILE, outside the
# database: keep it on other storage than the database's (e.g. append-only object storage, or shipped off).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", "audit:" + SECRET_KEY)
AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 100)
AUDIT_CHECKPOINT_FILE = Path(env_str("AUDIT_CHECKPOINT_FILE", str(BASE_DIR / "var" / "audit-checkpoints.jsonl")))

# FHIR bulk export: NDJSON files are written here, one folder per export, and removed when the export is deleted.
FHIR_EXPORT_ROOT = Path(env_str("FHIR_EXPORT_ROOT", str(BASE_DIR / "var" / "exports")))

# Background work (FHIR exports, the housekeeping below, later scheduled work) is queued in the database through
# django-tasks and run by `manage.py worker`, a separate process: `make demo` starts one beside the web server,
# production runs it as its own service. The queue is a table, so SQLite works as PostgreSQL does.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A job that has shown no sign of life for this long is taken to have lost its worker (killed, machine gone):
# it is tried again, up to BACKGROUND_JOB_ATTEMPTS in all, then marked failed, audited, and the requester told.
# An export reports progress every few seconds, so this is generous; lower it only with a faster heartbeat.
BACKGROUND_JOB_STALLED_AFTER = dt.timedelta(seconds=env_int("BACKGROUND_JOB_STALLED_AFTER_SECONDS", 300))
BACKGROUND_JOB_ATTEMPTS = env_int("BACKGROUND_JOB_ATTEMPTS", 2)
# How often the worker looks for abandoned jobs, and writes every audit chain's signed checkpoint.
HOUSEKEEPING_EVERY = dt.timedelta(seconds=env_int("HOUSEKEEPING_EVERY_SECONDS", 60))
AUDIT_CHECKPOINT_INTERVAL = dt.timedelta(seconds=env_int("AUDIT_CHECKPOINT_INTERVAL_SECONDS", 3600))

"""Production: every secret from the environment, HTTPS only; passes `check --deploy`."""

from __future__ import annotations

from detoxflow.settings.base import *  # noqa: F403  (settings modules extend their base by design)
from detoxflow.settings.env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY")
# Its own key, never derived from SECRET_KEY: rotating one must not silently change the other.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes from the load balancer or monitoring ask over plain HTTP on the private side; they carry no data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
REQUIRE_TOTP = env_bool("REQUIRE_TOTP", True)

# Static files from the application server itself (gunicorn has no static file handler), right after the
# security middleware, so a stylesheet costs no session or database work. Collected at start (scripts/serve.sh),
# compressed and named by content hash: browsers may cache them for a year and never get a stale one.
# Development and tests keep Django's own static serving (runserver, the live test server).
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1],  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1 :],  # noqa: F405
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

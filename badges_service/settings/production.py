"""Production settings: every secret comes from the environment, or the service does not start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _mandatory(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


SECRET_KEY = _mandatory("DJANGO_SECRET_KEY")
# Key-encryption keys (Fernet, url-safe base64 of 32 bytes), comma-separated, newest first:
# the first encrypts, all decrypt, so rotation is adding a key in front.
BADGES_KEY_ENCRYPTION_KEYS = [k.strip() for k in _mandatory("BADGES_KEY_ENCRYPTION_KEYS").split(",") if k.strip()]
_mandatory("DATABASE_URL")  # no silent SQLite in production
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a connection broken by a database restart is replaced
# A database that does not answer fails a request in seconds (503, see badges_service.errors), not minutes.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))

# Completion events go to Celery workers through a broker; rate limits, sign-in throttling and the pipeline's
# drainers need one cache shared by every process (Redis): no silent in-process fallback in production.
_mandatory("CELERY_BROKER_URL")
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured("REDIS_URL must be set for production (or CELERY_BROKER_URL must be redis://): rate "
                               "limits and sign-in throttling need a cache shared by every process.")

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names this service answers to.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Single sign-on: once an issuer is configured, its client id and secret must come from the environment,
# and the provider is reached over HTTPS only.
if BADGES_OIDC_ISSUER:  # noqa: F405
    BADGES_OIDC_CLIENT_ID = _mandatory("BADGES_OIDC_CLIENT_ID")
    BADGES_OIDC_CLIENT_SECRET = _mandatory("BADGES_OIDC_CLIENT_SECRET")
    if not BADGES_OIDC_ISSUER.startswith("https://"):  # noqa: F405
        raise ImproperlyConfigured("BADGES_OIDC_ISSUER must be an https:// URL in production.")

# The fetcher's allowance of non-public addresses exists for tests only: never in production.
if BADGES_FETCH_ALLOWED_PRIVATE:  # noqa: F405
    raise ImproperlyConfigured("BADGES_FETCH_ALLOWED_PRIVATE must be empty in production (it opens the verifier's "
                               "URL fetching to private addresses).")

# JSON log lines (badges_service.logs); Celery's worker and beat write through the same configuration. The
# request line says every 4xx already: Django's own warning for each would be a second line.
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")  # noqa: F405
LOGGING["loggers"] = {"django.request": {"level": "ERROR"}}  # noqa: F405
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Mail to learners (their credential's link): EMAIL_URL, e.g. smtp+tls://user:password@smtp.ville.fr:587.
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
if env.str("DEFAULT_FROM_EMAIL", default=""):
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL")

# Static files: collected (make serve runs collectstatic), compressed (gzip, Brotli) and named by their hash, so
# WhiteNoise serves them with a year of caching ("immutable"); the web process serves them itself.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")  # noqa: F405
WHITENOISE_MAX_AGE = 3600  # files without a hash in their name (favicon.ico, robots.txt...)
# Source maps are for developers' tools only: not worth compressing at every start.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz",
                                       "br", "swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov",
                                       "mp4", "mpeg", "mpg", "webm", "wmv", "map"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]  # scraped over the internal network (/healthz, /readyz come first)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

"""Settings shared by every environment. The environment is read here, once.

Secrets are not defined here: each environment module decides where they come from
(``production`` requires them from the environment, ``development`` keeps generated ones
in an untracked file, ``test`` generates them per run).
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    "issuers",
    "competencies",
    "learners",
    "verification",
    "pipeline",
    "indicators",
    "accounts",
    "passport",
    "managers",
    "django_prometheus",  # request metrics (badges_service.metrics)
    "oauth2_provider",  # django-oauth-toolkit: the OAuth 2.0 server of the Open Badges API
    "obapi",
    "wallets",  # OpenID4VCI issuance into wallets, OpenID4VP verification from wallets
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "badges_service.health.HealthMiddleware",  # /healthz, /readyz: before the host check and the HTTPS redirect
    "badges_service.logs.RequestLogMiddleware",  # request id, one log line per request
    "verification.public_lane.PublicCredentialLane",  # anonymous GET /credentials/<id> from memory (see its module)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the web process itself (see production)
    "django.middleware.http.ConditionalGetMiddleware",  # ETag on every GET answer, 304 (badges_service.caching)
    "badges_service.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "badges_service.middleware.RemoveSlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "badges_service.ratelimit.PublicRateLimitMiddleware",  # public pages and documents (BADGES_RATE_LIMIT_PATHS)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "badges_service.security.ContentSecurityPolicyMiddleware",  # strict CSP on every answer
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "badges_service.urls"
WSGI_APPLICATION = "badges_service.wsgi.application"

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
                "badges_service.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "badges_service.errors.api_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "badges_service.authentication.BasicAuthentication",  # DRF's, refusing NUL in the credentials
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["badges_service.parsers.JSONParser"],  # DRF's; too deep a body is a 400
    # Per-client limits from BADGES_RATE_LIMITS (scope: the view's throttle_scope, else "api"); 429 rate_limited.
    "DEFAULT_THROTTLE_CLASSES": ["badges_service.ratelimit.PublicRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # "format" is a query parameter of our own public resources (format=json, format=case).
    "URL_FORMAT_OVERRIDE": None,
}

# OpenAPI 3 schema of the API (/api/schema/), browsable at /api/docs/ with locally served Swagger UI.
SPECTACULAR_SETTINGS = {
    "TITLE": "Ville@pp Badges API",
    "DESCRIPTION": "Open Badges 2.0/3.0 competency credentials: verification, issuance, completion intake, "
                   "référentiel and learner profiles. Errors are `{\"error\": {\"code\", \"message\", \"details\"?}}`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Requests larger than this are refused before any parsing (Django raises RequestDataTooBig -> 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Celery: Redis broker when configured; otherwise tasks run in-process (development default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Pool processes per worker; Celery's default (None) is one per CPU core.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A broker that does not answer must not hold intake requests: events are stored first anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
CELERY_BEAT_SCHEDULE = {
    "pipeline-redrive": {"task": "pipeline.tasks.events_redrive_task", "schedule": 60.0},
    "indicators-rollup": {"task": "indicators.tasks.indicators_rollup_task", "schedule": 60.0},
    # Buffered usage counts to PostgreSQL; a run not started within its period is dropped (the next one does it).
    "usage-flush": {"task": "indicators.tasks.usage_flush_task", "schedule": 10.0, "options": {"expires": 10.0}},
    # Badges obtenus ailleurs: each is verified again once BADGES_FOREIGN_RECHECK_AFTER has passed.
    "foreign-badges-recheck": {"task": "verification.tasks.foreign_badges_recheck_task", "schedule": 3600.0},
    "wallets-expired-delete": {"task": "wallets.expired_delete", "schedule": 900.0},
}

# --- Completion pipeline (pipeline/): intake limits, replay window, re-drive of pending events
BADGES_PIPELINE_MAX_BODY_BYTES = env.int("BADGES_PIPELINE_MAX_BODY_BYTES", default=512 * 1024)
BADGES_PIPELINE_MAX_CSV_BYTES = env.int("BADGES_PIPELINE_MAX_CSV_BYTES", default=20 * 1024 * 1024)
BADGES_PIPELINE_SIGNATURE_TOLERANCE = 300  # seconds, either way
BADGES_PIPELINE_REDRIVE_AFTER = env.int("BADGES_PIPELINE_REDRIVE_AFTER_SECONDS", default=300)
BADGES_PIPELINE_QUEUE = env.str("BADGES_PIPELINE_QUEUE", default="celery")  # the Celery queue of event tasks
CELERY_TASK_DEFAULT_QUEUE = BADGES_PIPELINE_QUEUE  # the Procfile's worker and beat use it too
BADGES_PIPELINE_BATCH = env.int("BADGES_PIPELINE_BATCH", default=100)  # events processed in one transaction
# While a backlog lasts (each batch full), a drainer doubles its next claim up to this many events.
BADGES_PIPELINE_BATCH_MAX = env.int("BADGES_PIPELINE_BATCH_MAX", default=400)
# A drainer waits this long before a look that may find few events (its first, and after a short batch), so
# that a trickle of webhooks is processed in batches, not one by one (see pipeline/services/queueing.py).
BADGES_PIPELINE_DRAIN_PAUSE = env.float("BADGES_PIPELINE_DRAIN_PAUSE_SECONDS", default=0.2)
BADGES_PIPELINE_CONFIG_TTL = env.float("BADGES_PIPELINE_CONFIG_TTL", default=5.0)  # see pipeline/config_cache.py

# --- Operations: GET /metrics (Prometheus) answers only with this bearer token; 404 without one configured.
BADGES_METRICS_TOKEN = env.str("BADGES_METRICS_TOKEN", default="")

BADGES_CSP_REPORT_URI = env.str("BADGES_CSP_REPORT_URI", default="")  # where browsers report CSP violations

# --- Badges
# The public origin of this service: credential, achievement and issuer URLs and the did:web
# identifiers are derived from it, so it must be the URL people and verifiers reach.
BADGES_PUBLIC_URL = env.str("BADGES_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# Who publishes the service and how people reach it (footer, mentions légales, déclaration d'accessibilité).
BADGES_PUBLISHER = env.str("BADGES_PUBLISHER", default="Ville de Paris-Exemple")
BADGES_PUBLISHER_ADDRESS = env.str("BADGES_PUBLISHER_ADDRESS",
                                   default="Hôtel de Ville, place de l'Hôtel-de-Ville, 75000 Paris-Exemple")
BADGES_CONTACT_EMAIL = env.str("BADGES_CONTACT_EMAIL", default="badges@ville-exemple.fr")
BADGES_HOSTING = env.str("BADGES_HOSTING", default="Direction des systèmes d'information et du numérique de la Ville")
# "web" (did:web on BADGES_PUBLIC_URL, the default) or "key" (did:key, self-contained).
BADGES_DID_METHOD = env.str("BADGES_DID_METHOD", default="web")
# LinkedIn company page id of the city: its "Add to profile" links then name the organisation by id, not by name.
BADGES_LINKEDIN_ORGANIZATION_ID = env.str("BADGES_LINKEDIN_ORGANIZATION_ID", default="")
# Largest credential document the verifier accepts, in bytes.
BADGES_MAX_CREDENTIAL_BYTES = env.int("BADGES_MAX_CREDENTIAL_BYTES", default=256 * 1024)

# --- Fetching other services' documents (verify by URL, foreign did:web, foreign status lists), SSRF-safe:
# public addresses only (checked after DNS and on each redirect, connection pinned), size and time limits.
BADGES_FETCH_MAX_BYTES = env.int("BADGES_FETCH_MAX_BYTES", default=512 * 1024)
BADGES_FETCH_CONNECT_TIMEOUT = env.float("BADGES_FETCH_CONNECT_TIMEOUT", default=3.0)  # seconds
BADGES_FETCH_READ_TIMEOUT = env.float("BADGES_FETCH_READ_TIMEOUT", default=5.0)  # seconds, each read
BADGES_FETCH_TOTAL_TIMEOUT = env.float("BADGES_FETCH_TOTAL_TIMEOUT", default=10.0)  # seconds, redirects included
BADGES_FETCH_MAX_REDIRECTS = env.int("BADGES_FETCH_MAX_REDIRECTS", default=3)
BADGES_FETCH_CACHE_SECONDS = env.int("BADGES_FETCH_CACHE_SECONDS", default=300)
# Badges obtenus ailleurs (learners.ForeignBadge): verified again by Celery beat once this has passed.
BADGES_FOREIGN_RECHECK_AFTER = timedelta(days=env.int("BADGES_FOREIGN_RECHECK_DAYS", default=7))
# "address:port" pairs that may be fetched although not public: for tests and local development only
# (production refuses to start with any). Empty by default.
BADGES_FETCH_ALLOWED_PRIVATE = env.list("BADGES_FETCH_ALLOWED_PRIVATE", default=[])
BADGES_FETCH_CA_FILE = env.str("BADGES_FETCH_CA_FILE", default="")  # extra trust anchors (PEM); "" = system's
# A CASE framework fetched by URL (import_framework https://…/ims/case/v1p0/CFPackages/<id>) is larger than a
# credential: its own size and time limits.
BADGES_CASE_FETCH_MAX_BYTES = env.int("BADGES_CASE_FETCH_MAX_BYTES", default=30 * 1024 * 1024)
BADGES_CASE_FETCH_TOTAL_TIMEOUT = env.float("BADGES_CASE_FETCH_TOTAL_TIMEOUT", default=120.0)  # seconds
# CASE packages served at /ims/case/v1p0 are kept in the cache this long (each import changes the key).
BADGES_CASE_PACKAGE_CACHE_SECONDS = env.int("BADGES_CASE_PACKAGE_CACHE_SECONDS", default=3600)

# --- In-process caches kept true by PostgreSQL notifications (badges_service/change_feed.py): a public
# credential's state and document. Off where there is no PostgreSQL (the pages then read the database each time).
BADGES_CHANGE_FEED = env.bool("BADGES_CHANGE_FEED", default=True)

# --- Cache: Redis when REDIS_URL (or a redis:// Celery broker) is set, so that rate-limit counters and fetched
# documents are shared by every process; process-local memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="") or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CACHES = {"default": {"BACKEND": "badges_service.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "badges", "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "badges"}}
# Verifications (the public page, the API) are counted in Redis and written to PostgreSQL in batches by Celery
# beat (indicators.usage_buffer, every 10 s) rather than a row per view; a Redis restart loses the last seconds.
BADGES_USAGE_BUFFER = env.bool("BADGES_USAGE_BUFFER", default=bool(REDIS_URL))

# --- Rate limits on public endpoints (badges_service/ratelimit.py), per client and fixed window. Generous:
# they stop floods, not people. BADGES_RATE_LIMIT_<SCOPE> overrides one, e.g. BADGES_RATE_LIMIT_VERIFY=30/minute.
BADGES_RATE_LIMITS = {
    scope: env.str(f"BADGES_RATE_LIMIT_{scope.upper()}", default=default)
    for scope, default in {"verify": "60/minute", "api": "600/minute", "pages": "300/minute",
                           "documents": "1200/minute", "oauth": "120/minute", "registration": "30/hour"}.items()
}
BADGES_RATE_LIMIT_PATHS = [  # (path regex, scope), first match wins; /api/ is throttled by DRF
    (r"^/oauth/register", "registration"),  # OB 3.0 §7.1.1 dynamic client registration
    (r"^/oauth/(token|revoke|authorize)", "oauth"),
    (r"^/ims/ob/v3p0/discovery", "documents"),
    (r"^/ims/case/v1p0/", "documents"),  # the référentiel for CASE consumers
    (r"^/issuers/[^/]+/(did\.json|status/|ob2)", "documents"),
    (r"^/(credentials|achievements|issuers|frameworks)(/|$)", "pages"),
    (r"^/$", "pages"),
]
# Not limited: LMS completion intake is signed and bounded by its own limits, and some LMSs never retry a 429.
BADGES_RATE_LIMIT_API_EXEMPT = [r"^/api/v1/events/"]
BADGES_TRUSTED_PROXIES = env.int("BADGES_TRUSTED_PROXIES", default=0)  # reverse proxies writing X-Forwarded-For

# --- Sign-in (accounts/): local accounts, and single sign-on through OpenID Connect when configured
LOGIN_URL = "/comptes/connexion/"
LOGIN_REDIRECT_URL = "/passeport/"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.OIDCBackend",  # acts only in the OpenID Connect callback
]
# Password sign-in: failures allowed per username and per client address within the window (seconds).
BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME = env.int("BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME", default=5)
BADGES_SIGNIN_MAX_FAILURES_PER_ADDRESS = env.int("BADGES_SIGNIN_MAX_FAILURES_PER_ADDRESS", default=50)
BADGES_SIGNIN_FAILURE_WINDOW = env.int("BADGES_SIGNIN_FAILURE_WINDOW", default=15 * 60)
# OpenID Connect: offered when issuer, client id and secret are set. Endpoints left empty come from the
# issuer's discovery document (fetched on first use, cached). See README, "Single sign-on".
BADGES_OIDC_ISSUER = env.str("BADGES_OIDC_ISSUER", default="")
BADGES_OIDC_CLIENT_ID = env.str("BADGES_OIDC_CLIENT_ID", default="")
BADGES_OIDC_CLIENT_SECRET = env.str("BADGES_OIDC_CLIENT_SECRET", default="")
BADGES_OIDC_AUTHORIZATION_ENDPOINT = env.str("BADGES_OIDC_AUTHORIZATION_ENDPOINT", default="")
BADGES_OIDC_TOKEN_ENDPOINT = env.str("BADGES_OIDC_TOKEN_ENDPOINT", default="")
BADGES_OIDC_USERINFO_ENDPOINT = env.str("BADGES_OIDC_USERINFO_ENDPOINT", default="")
BADGES_OIDC_JWKS_URI = env.str("BADGES_OIDC_JWKS_URI", default="")
BADGES_OIDC_END_SESSION_ENDPOINT = env.str("BADGES_OIDC_END_SESSION_ENDPOINT", default="")
BADGES_OIDC_SCOPES = env.str("BADGES_OIDC_SCOPES", default="openid email profile")
BADGES_OIDC_SIGN_ALGO = env.str("BADGES_OIDC_SIGN_ALGO", default="RS256")
BADGES_OIDC_USE_PKCE = env.bool("BADGES_OIDC_USE_PKCE", default=True)
BADGES_OIDC_REQUIRE_VERIFIED_EMAIL = env.bool("BADGES_OIDC_REQUIRE_VERIFIED_EMAIL", default=True)
BADGES_OIDC_EXTRA_AUTH_PARAMS = env.json("BADGES_OIDC_EXTRA_AUTH_PARAMS", default={})
BADGES_OIDC_LOGOUT_AT_PROVIDER = env.bool("BADGES_OIDC_LOGOUT_AT_PROVIDER", default=True)
BADGES_OIDC_PROVIDER_NAME = env.str("BADGES_OIDC_PROVIDER_NAME", default="")  # the button says "Se connecter avec …"
BADGES_OIDC_TIMEOUT = env.int("BADGES_OIDC_TIMEOUT", default=10)  # seconds, each call to the provider

# --- 1EdTech Open Badges API 3.0 (obapi/, /ims/ob/v3p0/) and its OAuth 2.0 server (/oauth/), django-oauth-toolkit.
# OB 3.0 §7: authorization code grant with PKCE (S256 only, see obapi/oauth.py), codes valid 600 s, access
# tokens 3600 s; refresh tokens rotate, and reusing a rotated one revokes the whole family (RFC 9700 §4.14.2).
OAUTH2_PROVIDER = {
    "SCOPES": {
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly": "Read credentials",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert": "Create or update credentials",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly": "Read the profile",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update": "Update the profile",
        "offline_access": "Refresh tokens",
    },
    "DEFAULT_SCOPES": [],  # OB 3.0 §7.1.2: the authorization request names its scopes
    "OAUTH2_SERVER_CLASS": "obapi.oauth.OpenBadgesServer",
    "OAUTH2_VALIDATOR_CLASS": "obapi.oauth.OpenBadgesValidator",
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OBAPI_REFRESH_TOKEN_EXPIRE_SECONDS", default=90 * 24 * 3600),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],  # http: loopback of native apps only (obapi/registration.py)
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # no access token in a query string
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # tokens kept as SHA-256 checksums only
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207 "iss" in authorization responses
}
# DOT warns that http redirect URIs are allowed at all; registration (obapi/registration.py) allows http only
# for loopback redirects of native apps (RFC 8252 §7.3), everything else must be https.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named, so that migrations can depend on it
OBAPI_DEFAULT_PAGE_SIZE = 50
OBAPI_MAX_PAGE_SIZE = 100
# Required in the service description (OB 3.0 §7.1.1, SDD info and OAuth2ACG scheme). Empty: this service's own
# pages, /conditions/ and /confidentialite/ under BADGES_PUBLIC_URL (see obapi.discovery.policy_urls).
BADGES_TERMS_OF_SERVICE_URL = env.str("BADGES_TERMS_OF_SERVICE_URL", default="")
BADGES_PRIVACY_POLICY_URL = env.str("BADGES_PRIVACY_POLICY_URL", default="")

# Log lines: "plain" text (development, tests) or "json" (production's default: one object per line). Every
# handler carries the request id and removes emails, secrets and signed documents (badges_service.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "badges_service.logs.RequestIdFilter"},
                "redact": {"()": "badges_service.logs.Redactor"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "badges_service.logs.JsonLines"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env.str("LOG_FORMAT", default="plain"),
                             "filters": ["request_id", "redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# OpenID4VCI (wallets/): lifetimes in seconds of a credential offer, an access token and a proof nonce, and the
# wrong transaction codes an offer tolerates before it is void.
WALLETS_OFFER_TTL = env.int("WALLETS_OFFER_TTL", default=600)
WALLETS_ACCESS_TOKEN_TTL = env.int("WALLETS_ACCESS_TOKEN_TTL", default=300)
WALLETS_NONCE_TTL = env.int("WALLETS_NONCE_TTL", default=300)
WALLETS_TX_CODE_ATTEMPTS = env.int("WALLETS_TX_CODE_ATTEMPTS", default=3)
# OpenID4VP: how long a presentation request waits for the wallet's answer, in seconds.
WALLETS_PRESENTATION_TTL = env.int("WALLETS_PRESENTATION_TTL", default=900)

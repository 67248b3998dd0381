"""Settings shared by every environment. The environment is read here, once.

Secrets are not defined here: each environment module decides where they come from
(``production`` requires them from the environment, ``development`` keeps generated ones
in an untracked file, ``test`` generates them per run).
"""

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "badges_service.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A broker that does not answer must not hold intake requests: events are stored first anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
CELERY_BEAT_SCHEDULE = {
    "pipeline-redrive": {"task": "pipeline.tasks.events_redrive_task", "schedule": 60.0},
}

# --- Completion pipeline (pipeline/): intake limits, replay window, re-drive of pending events
BADGES_PIPELINE_MAX_BODY_BYTES = env.int("BADGES_PIPELINE_MAX_BODY_BYTES", default=512 * 1024)
BADGES_PIPELINE_MAX_CSV_BYTES = env.int("BADGES_PIPELINE_MAX_CSV_BYTES", default=20 * 1024 * 1024)
BADGES_PIPELINE_SIGNATURE_TOLERANCE = 300  # seconds, either way
BADGES_PIPELINE_REDRIVE_AFTER = env.int("BADGES_PIPELINE_REDRIVE_AFTER_SECONDS", default=300)
BADGES_PIPELINE_QUEUE = env.str("BADGES_PIPELINE_QUEUE", default="celery")  # the Celery queue of event tasks

# --- Badges
# The public origin of this service: credential, achievement and issuer URLs and the did:web
# identifiers are derived from it, so it must be the URL people and verifiers reach.
BADGES_PUBLIC_URL = env.str("BADGES_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# "web" (did:web on BADGES_PUBLIC_URL, the default) or "key" (did:key, self-contained).
BADGES_DID_METHOD = env.str("BADGES_DID_METHOD", default="web")
# Largest credential document the verifier accepts, in bytes.
BADGES_MAX_CREDENTIAL_BYTES = env.int("BADGES_MAX_CREDENTIAL_BYTES", default=256 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

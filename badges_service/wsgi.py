import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.production")

application = get_wsgi_application()

# The web process queues tasks by name (pipeline.services.queueing): discover the apps' task modules now, before
# the first request, rather than lazily in whichever request thread asks first.
from badges_service.celery import app as _celery_app  # noqa: E402

_celery_app.loader.import_default_modules()

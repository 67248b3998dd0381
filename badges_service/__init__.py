"""Ville@pp Badges: the Django project (settings, urls, Celery app, error hierarchy)."""

from .celery import app as celery_app

__all__ = ["celery_app"]

"""Agents (learners) as the service knows them, and the managers' scopes.

Credentials name their recipient by email; a learner row adds what the référentiel needs: the
agent's direction and current job, and whether the agent made the competency profile visible
beyond the direction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Learner(models.Model):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="learner")
    direction = models.ForeignKey("issuers.Issuer", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="agents")
    job = models.ForeignKey("competencies.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="agents")
    profile_visible = models.BooleanField(default=False)  # nothing is visible outside the direction by default
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email


class ManagerScope(models.Model):
    """A manager sees the competencies of the agents of one direction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_scopes")
    direction = models.ForeignKey("issuers.Issuer", on_delete=models.CASCADE, related_name="manager_scopes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "direction"], name="unique_manager_scope")]

    def __str__(self) -> str:
        return f"{self.user} manages {self.direction}"

"""Learners (agents) and who may see their skills: a responsibility neither of issuers nor of the référentiel."""

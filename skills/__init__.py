"""Skills: what a learner's valid credentials prove (competency profiles), how that fits a métier (job fit),
and the managers' skills search. Reads only, above ``issuers`` (credentials), ``competencies`` (the
référentiel) and ``learners`` (agents, and who may see whom: ``learners.policy``). Not a Django app: no models.
"""

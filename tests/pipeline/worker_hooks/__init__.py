"""A test-only app loaded by the worker processes the pipeline tests start (tests/pipeline/worker_settings.py)."""

"""Writes of the completion pipeline. One entry point per write: the API, the admin, the commands and the
Celery tasks all call these."""

from .batch import event_process, events_process
from .config import (
    LrsCredentials,
    MappingImport,
    NewSource,
    award_rule_check,
    award_rule_create,
    award_rule_update,
    learner_map,
    learner_map_import,
    lms_source_create,
    lms_source_lrs_credentials_rotate,
    lms_source_secret_rotate,
    pathway_create,
)
from .processing import award_signed
from .queueing import enqueue, events_drain, events_redrive, events_requeue
from .receipt import CsvReport, csv_import, event_receive, events_receive, unsupported_receipt

__all__ = [
    "CsvReport", "LrsCredentials", "MappingImport", "NewSource", "award_rule_check", "award_rule_create",
    "award_rule_update", "award_signed", "csv_import", "enqueue", "event_process", "event_receive", "events_drain",
    "events_process", "events_receive", "events_redrive", "events_requeue", "learner_map", "learner_map_import",
    "lms_source_create", "lms_source_lrs_credentials_rotate", "lms_source_secret_rotate", "pathway_create",
    "unsupported_receipt",
]

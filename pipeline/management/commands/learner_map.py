import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from pipeline import selectors, services


class Command(BaseCommand):
    help = ("Map an LMS user id to a learner's email (or import a CSV of lms_user_id,email[,name]); events "
            "waiting for that user are processed again.")

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="source name")
        parser.add_argument("--lms-user-id")
        parser.add_argument("--email")
        parser.add_argument("--csv", help="a CSV file with lms_user_id and email columns")

    def handle(self, *args, **options):
        try:
            source = selectors.source_get(name=options["source"])
            if options["csv"]:
                result = services.learner_map_import(source=source, text=Path(options["csv"]).read_text("utf-8-sig"))
                self.stdout.write(json.dumps({"mapped": result.created, "errors": result.errors}, ensure_ascii=False))
                return
            if not (options["lms_user_id"] and options["email"]):
                raise CommandError("Give --lms-user-id and --email, or --csv.")
            mapping = services.learner_map(source=source, lms_user_id=options["lms_user_id"], email=options["email"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"source": source.name, "lms_user_id": mapping.lms_user_id,
                                      "email": mapping.learner.email}))

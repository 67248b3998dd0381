import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from competencies.models import Framework, ProficiencyLevel
from issuers import selectors as issuer_selectors
from pipeline import selectors, services


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"'{text}' is not a number.") from None


class Command(BaseCommand):
    help = "Add an award rule: a course of a source earns an achievement (scores in percent)."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="source name")
        parser.add_argument("--course", required=True, help="LMS course id, idnumber or activity IRI")
        parser.add_argument("--achievement", required=True, help="achievement slug")
        parser.add_argument("--min-score", help="minimum score, percent")
        parser.add_argument("--framework", help="code of the framework whose levels the rule uses")
        parser.add_argument("--band", action="append", default=[], metavar="SCORE:LEVEL",
                            help="from SCORE (percent) the credential states LEVEL (a level code); repeatable")
        parser.add_argument("--min-level", help="minimum level code (for levels stated by the source)")
        parser.add_argument("--valid-days", type=int, help="validity of the credential, in days")
        parser.add_argument("--reearnable", action="store_true", help="each qualifying event issues a new badge")

    def handle(self, *args, **options):
        try:
            source = selectors.source_get(name=options["source"])
            achievement = issuer_selectors.achievement_get(slug=options["achievement"])
            framework = None
            if options["framework"]:
                framework = Framework.objects.filter(code=options["framework"]).order_by("-created_at").first()
                if framework is None:
                    raise CommandError(f"No framework '{options['framework']}'.")
            if (options["band"] or options["min_level"]) and framework is None:
                raise CommandError("--band and --min-level need --framework.")

            def level(code: str) -> ProficiencyLevel:
                found = framework.levels.filter(code=code).first()
                if found is None:
                    raise CommandError(f"No level '{code}' in {framework.code}.")
                return found

            bands = []
            for band in options["band"]:
                score, _, code = band.partition(":")
                bands.append((_decimal(score), level(code)))
            rule = services.award_rule_create(
                source=source, course=options["course"], achievement=achievement,
                min_score=_decimal(options["min_score"]) if options["min_score"] else None,
                level_framework=framework, bands=bands,
                min_level=level(options["min_level"]) if options["min_level"] else None,
                validity_days=options["valid_days"], reearnable=options["reearnable"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"id": rule.pk, "source": source.name, "course": rule.course,
                                      "achievement": achievement.slug,
                                      "min_score": str(rule.min_score) if rule.min_score is not None else None}))

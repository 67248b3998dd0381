from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from competencies.interchange.bundle import BundleInvalid
from competencies.interchange.files import read_path
from competencies.services import framework_import


class Command(BaseCommand):
    help = ("Import frameworks: each PATH is a folder or .zip of the CSV bundle, a framework JSON, or a CASE 1.0 "
            "package. All or nothing per framework; every problem is listed with file, line and field.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--replace", action="store_true", help="update an existing framework version in place")

    def handle(self, *args, **options):
        failed = False
        for path in options["paths"]:
            try:
                framework = framework_import(bundle=read_path(path), replace=options["replace"])
            except BundleInvalid as exc:
                failed = True
                self.stderr.write(f"{path}: {len(exc.problems)} problem(s), nothing imported:")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                continue
            except (ApplicationError, OSError) as exc:
                failed = True
                self.stderr.write(f"{path}: {getattr(exc, 'message', exc)}")
                continue
            self.stdout.write(f"{path}: imported {framework.code} {framework.version} "
                              f"({framework.jobs.count()} jobs, {framework.competencies.count()} competencies).")
        if failed:
            raise CommandError("Some frameworks were not imported.")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError, NotFound
from badges_service.fetch import FetchError
from competencies import remote, selectors
from competencies.interchange.bundle import KINDS, BundleInvalid
from competencies.interchange.case import CaseOptions
from competencies.interchange.files import read_path, read_upload
from competencies.services import framework_import


class Command(BaseCommand):
    help = ("Import frameworks: each SOURCE is a folder or .zip of the CSV bundle, a framework JSON, a CASE 1.0/1.1 "
            "package, or the https URL of a CASE package on a CASE server (…/ims/case/v1p0/CFPackages/<id>). "
            "All or nothing per framework; every problem is listed with its file and line, or its JSON path. "
            "See docs/referentiel-case.md for the CASE options.")

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE")
        parser.add_argument("--replace", action="store_true", help="update an existing framework version in place")
        parser.add_argument("--job-family-type", action="append", default=[], dest="family_types", metavar="TYPE",
                            help="CASE: a CFItemType whose items are job families (repeatable)")
        parser.add_argument("--job-type", action="append", default=[], dest="job_types", metavar="TYPE",
                            help="CASE: a CFItemType whose items are jobs (repeatable)")
        parser.add_argument("--default-kind", choices=KINDS, default="savoir-faire",
                            help="CASE: the kind of a competency whose CFItemType names none (default savoir-faire)")
        parser.add_argument("--code", default="", help="CASE: the framework's code (default: from its title)")
        parser.add_argument("--framework-version", dest="version", default="",
                            help="CASE: the framework's version (default: the CFDocument's version, else 1)")
        parser.add_argument("--scale", default="", metavar="CODE[:VERSION]",
                            help="use the proficiency scale of this framework (for a package without rubric)")

    def handle(self, *args, **options):
        case_options = CaseOptions(family_types=tuple(options["family_types"]), job_types=tuple(options["job_types"]),
                                   default_kind=options["default_kind"], code=options["code"],
                                   version=options["version"])
        scale = None
        if options["scale"]:
            code, _, version = options["scale"].partition(":")
            try:
                scale = selectors.framework_get(code=code, version=version or None)
            except NotFound as exc:
                raise CommandError(f"--scale: {exc.message}") from exc
        failed = False
        for source in options["sources"]:
            try:
                if remote.is_url(source):
                    bundle = read_upload("CFPackage.json", remote.package_get(source), case_options=case_options)
                else:
                    bundle = read_path(Path(source), case_options=case_options)
                framework = framework_import(bundle=bundle, replace=options["replace"], scale=scale)
            except BundleInvalid as exc:
                failed = True
                self.stderr.write(f"{source}: {len(exc.problems)} problem(s), nothing imported:")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                continue
            except (ApplicationError, FetchError, OSError) as exc:
                failed = True
                self.stderr.write(f"{source}: {getattr(exc, 'message', exc)}")
                continue
            self.stdout.write(f"{source}: imported {framework.code} {framework.version} "
                              f"({framework.jobs.count()} jobs, {framework.competencies.count()} competencies, "
                              f"{framework.levels.count()} levels).")
        if failed:
            raise CommandError("Some frameworks were not imported.")

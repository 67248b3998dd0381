import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import NotFound
from competencies import documents, selectors
from competencies.interchange.csv_bundle import write_bundle
from competencies.interchange.json_bundle import write_json
from competencies.interchange.moodle import write_moodle_csv


class Command(BaseCommand):
    help = "Export a framework as the CSV bundle (a folder), JSON, a CASE 1.0 package or Moodle's competency CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json", "case", "moodle"], required=True)
        parser.add_argument("--framework", required=True, help="framework code")
        parser.add_argument("--framework-version", dest="framework_version",
                            help="framework version (default: the latest)")
        parser.add_argument("--output", default="-", help="a folder for csv; a file or - (stdout) otherwise")

    def handle(self, *args, **options):
        try:
            framework = selectors.framework_get(code=options["framework"], version=options["framework_version"])
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        bundle = selectors.framework_bundle(framework=framework)
        fmt, output = options["format"], options["output"]
        if fmt == "csv":
            if output == "-":
                raise CommandError("--output must be a folder for the csv format.")
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            files = write_bundle(bundle)
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8", newline="")
            self.stdout.write(f"Wrote {len(files)} files to {folder}.")
            return
        if fmt == "json":
            text = write_json(bundle)
        elif fmt == "case":
            text = json.dumps(documents.case_package(framework, bundle=bundle), ensure_ascii=False, indent=2)
        else:
            text = write_moodle_csv(bundle)
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            Path(output).write_text(text, encoding="utf-8", newline="")

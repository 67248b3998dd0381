import json
import sys

from django.core.management.base import BaseCommand

from verification.services import credential_verify_raw

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = ("Verify a credential (a file path, or - for stdin) and print the JSON report. The file may be an OB 3.0 "
            "credential or OB 2.0 assertion (JSON), a signed OB 2.0 assertion (compact JWS), or a baked PNG or SVG "
            "badge. Exit status: 0 valid, 1 not valid, 2 unreadable.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="credential, JWS or baked image file, or - for standard input")

    def handle(self, *args, **options):
        path = options["path"]
        try:
            raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
        except OSError as exc:
            self.stderr.write(f"Cannot read {path}: {exc.strerror}")
            sys.exit(EXIT_UNREADABLE)
        report = credential_verify_raw(raw=raw)
        self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        if report.check("json").result == "failed":
            sys.exit(EXIT_UNREADABLE)
        sys.exit(EXIT_VALID if report.valid else EXIT_INVALID)

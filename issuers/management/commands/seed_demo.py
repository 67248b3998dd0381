from django.core.management.base import BaseCommand

from issuers.demo.seed import seed_issuers_and_achievements


class Command(BaseCommand):
    help = "Load the demo issuers and achievements (idempotent: existing rows are left as they are)."

    def handle(self, *args, **options):
        created = seed_issuers_and_achievements()
        self.stdout.write(f"Demo data: {created['issuers']} issuers and "
                          f"{created['achievements']} achievements created.")

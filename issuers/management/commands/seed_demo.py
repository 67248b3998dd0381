from django.core.management.base import BaseCommand
from django.db import transaction

from competencies.demo.seed import seed_alignments, seed_frameworks
from issuers.demo.seed import seed_issuers_and_achievements
from issuers.identifiers import credential_url
from issuers.models import Credential
from learners.demo.accounts import seed_accounts
from learners.demo.seed import seed_agents
from pipeline.demo import seed_pipeline


class Command(BaseCommand):
    help = ("Load the demo data: issuers, achievements, the city's and Pix's frameworks, alignments, and a few "
            "agents with badges. Idempotent: what exists is left as it is.")

    @transaction.atomic
    def handle(self, *args, **options):
        created = seed_issuers_and_achievements()
        frameworks = seed_frameworks()
        alignments = seed_alignments()
        agents = seed_agents()
        self.stdout.write(f"Demo data: {created['issuers']} issuers and {created['achievements']} achievements "
                          f"created, {frameworks} frameworks imported, {alignments} alignments set, "
                          f"{agents['agents']} agents and {agents['credentials']} credentials created.")
        example = Credential.objects.filter(is_public=True).order_by("issued_at").first()
        pipeline = seed_pipeline()
        self.stdout.write(f"Completion events: source 'moodle-demo', {pipeline['rules']} award rules created.")
        if pipeline["secret"]:
            self.stdout.write(f"Secret of 'moodle-demo' (shown once): {pipeline['secret']}")
        if pipeline.get("lrs"):
            lrs = pipeline["lrs"]
            self.stdout.write(f"xAPI LRS of 'moodle-demo' for Moodle's logstore_xapi (password shown once): endpoint "
                              f"{lrs['lrs_endpoint']}, username {lrs['lrs_username']}, password {lrs['lrs_password']}")
        if example:
            self.stdout.write(f"Example credential page: {credential_url(example.public_id)}")
        accounts = seed_accounts()
        if accounts:
            self.stdout.write("Demo sign-in accounts at /comptes/connexion/ (passwords shown once):")
            for username, password, role in accounts:
                self.stdout.write(f"  {username:<16} {password}  ({role})")

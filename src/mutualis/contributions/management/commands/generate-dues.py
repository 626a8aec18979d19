"""`mutualis generate-dues --period 2026-11 [--mutual CODE]`: dues of every household.

Prints the progress after each chunk of households, then what was created. Running
it again finishes an interrupted run, bills the beneficiaries added since, and
creates nothing more otherwise.
"""

from django.core.management.base import BaseCommand, CommandError

from mutualis.contributions.dues import dues_generate
from mutualis.core.errors import DomainError
from mutualis.core.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Generate the dues of a whole mutual for a period (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026-11 (a month) or 2026 (a year)")
        parser.add_argument("--mutual", help="code of the mutual (default: every mutual)")

    def handle(self, *args, period, mutual=None, **options):
        mutuals = Organisation.objects.filter(kind=OrgKind.MUTUAL, is_active=True)
        if mutual:
            mutuals = mutuals.filter(code=mutual)
            if not mutuals:
                raise CommandError(f"Unknown mutual {mutual!r}")
        for org in mutuals.order_by("code"):

            def progress(done, total, code=org.code):
                self.stdout.write(f"{code}: {done:,} / {total:,} households")

            try:
                result = dues_generate(actor=None, mutual=org, period=period, on_progress=progress)
            except DomainError as exc:
                self.stderr.write(f"{org.code}: {exc}")
                continue
            self.stdout.write(
                f"{org.code}: {result.created} dues created, {result.skipped} households "
                f"already done, {result.added} added beneficiaries billed, "
                f"{result.credit_households} households settled from credit, "
                f"{len(result.failed)} failed (batch {result.batch_id})"
            )

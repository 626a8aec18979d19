"""`mutualis generate-dues --period 2026-11 [--mutual CODE]`: dues of every household."""

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
            try:
                result = dues_generate(actor=None, mutual=org, period=period)
            except DomainError as exc:
                self.stderr.write(f"{org.code}: {exc}")
                continue
            self.stdout.write(
                f"{org.code}: {result.created} dues created, {result.skipped} households "
                f"already done, {len(result.failed)} failed (batch {result.batch_id})"
            )

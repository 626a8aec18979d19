"""`mutualis daily [--date D] [--mutual CODE]`: the daily status run (cron / systemd timer).

Without --date, "today" is taken in each mutual's own time zone.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mutualis.contributions.status import daily_run, mutual_today
from mutualis.core.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Apply the automatic status changes (cover, grace, suspension, striking-off, renewal)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--mutual", help="code of the mutual (default: every mutual)")

    def handle(self, *args, date=None, mutual=None, **options):
        mutuals = Organisation.objects.filter(kind=OrgKind.MUTUAL, is_active=True)
        if mutual:
            mutuals = mutuals.filter(code=mutual)
            if not mutuals:
                raise CommandError(f"Unknown mutual {mutual!r}")
        for org in mutuals.order_by("code"):
            on = date or mutual_today(org)
            counts, batch_id = daily_run(actor=None, mutual=org, on=on)
            self.stdout.write(
                f"{org.code} {on}: {counts.households} households, "
                f"{counts.membership_changes} status changes, {counts.coverage_changes} cover "
                f"changes, {counts.renewals} renewals, {counts.reinstatements} to re-adjudicate "
                f"(batch {batch_id})"
            )

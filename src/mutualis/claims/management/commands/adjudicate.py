"""`mutualis adjudicate [--mutual CODE] [--until 2026-03-31]`: decide the claims waiting."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mutualis.claims.batch import CHUNK, claims_adjudicate
from mutualis.core.errors import DomainError
from mutualis.core.models import Organisation, OrgKind, User
from mutualis.members.management.commands._progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Decide every claim waiting in 'entered' (received on or before --until) with the "
        "rules; restartable: run it again after an interruption (see docs/claims.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mutual", help="code of the mutual (default: every mutual)")
        parser.add_argument("--until", help="received on or before (YYYY-MM-DD; default: today)")
        parser.add_argument("--today", help="the date of the decision (default: today)")
        parser.add_argument("--user", help="acting user (default: the system)")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="claims per transaction")

    def handle(self, *args, mutual=None, until=None, today=None, user=None, chunk=CHUNK, **kw):
        mutuals = Organisation.objects.filter(kind=OrgKind.MUTUAL, is_active=True)
        if mutual:
            mutuals = mutuals.filter(code=mutual)
            if not mutuals:
                raise CommandError(f"Unknown mutual {mutual!r}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Unknown user {user!r}")
        try:
            until_d = date.fromisoformat(until) if until else None
            today_d = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for org in mutuals.order_by("code"):
            bar = ProgressBar(org.code, stream=self.stderr)
            try:
                result = claims_adjudicate(
                    actor=actor,
                    mutual=org,
                    until=until_d,
                    today=today_d,
                    chunk=max(1, chunk),
                    progress=bar,
                )
            except DomainError as exc:
                self.stderr.write(f"{org.code}: {exc}")
                continue
            finally:
                bar.close()
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(result.statuses.items()))
            self.stdout.write(
                f"{org.code}: {result.claims} claims ({result.lines} lines) decided"
                f"{': ' + statuses if statuses else ''} (batch {result.batch_id})"
            )

"""`mutualis generate --members N --seed S`: deterministic synthetic members for benchmarks.

Writes a CSV in the import format (`--csv PATH`) and/or imports it into a mutual
(`--mutual CODE`; created with three sections when it does not exist).
"""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mutualis.core.models import Organisation, OrgKind, User
from mutualis.members.importer import import_frame
from mutualis.members.synthetic import generate_frame

from ._progress import ProgressBar


def synthetic_mutual(code: str) -> Organisation:
    """A mutual with three sections, for synthetic data (created once)."""
    mutual = Organisation.objects.filter(code=code).first()
    if mutual is not None:
        return mutual
    mutual = Organisation.objects.create(kind=OrgKind.MUTUAL, name=f"Mutuelle {code}", code=code)
    mutual.path = f"/{mutual.pk}/"
    mutual.save(update_fields=["path"])
    for i in range(1, 4):
        s = Organisation.objects.create(
            kind=OrgKind.SECTION, name=f"Section {code}-{i}", code=f"{code}-{i}", parent=mutual
        )
        s.path, s.depth = f"{mutual.path}{s.pk}/", 1
        s.save(update_fields=["path", "depth"])
    return mutual


class Command(BaseCommand):
    help = "Generate deterministic synthetic households (regional names, 1–12 persons)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="Number of persons.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--csv", help="Write the rows to this CSV file.")
        parser.add_argument("--mutual", help="Import into this mutual (code; created if new).")
        parser.add_argument("--on", default="2026-01-01", help="Reference date (YYYY-MM-DD).")

    def handle(self, *args, members, seed, csv=None, mutual=None, on="2026-01-01", **kw):
        if not csv and not mutual:
            raise CommandError("Pass --csv PATH, --mutual CODE or both.")
        ref = date.fromisoformat(on)
        org = synthetic_mutual(mutual) if mutual else None
        codes = (
            list(Organisation.objects.filter(parent=org).values_list("code", flat=True))
            if org
            else ["S1", "S2", "S3"]
        )
        started = time.perf_counter()
        frame = generate_frame(persons=members, seed=seed, sections=codes, on=ref)
        self.stdout.write(
            f"{frame.height:,} persons in {frame['household_id'].n_unique():,} households "
            f"generated in {time.perf_counter() - started:.1f} s"
        )
        if csv:
            frame.write_csv(csv)
            self.stdout.write(f"Written to {csv}")
        if org:
            actor = User.objects.filter(is_superuser=True).order_by("id").first()
            if actor is None:
                raise CommandError("Create a superuser first (the import is audited under it).")
            bar = ProgressBar("import", stream=self.stderr)
            try:
                result = import_frame(
                    actor=actor,
                    mutual=org,
                    frame=frame,
                    on=ref,
                    file_name="generate",
                    progress=bar,
                )
            finally:
                bar.close()
            self.stdout.write(f"{result.imported:,} imported into {org.code}.")

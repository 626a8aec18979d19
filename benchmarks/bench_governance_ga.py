"""General Assembly at scale: freezing the electorate and checking members in.

    python -m benchmarks.bench_governance_ga --n 5000 --checkins 500

Uses a throw-away SQLite database unless DATABASE_URL is set. Prints rates
and ratios to what this machine does with plain inserts (never raw timings
in tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date

from benchmarks._timing import best_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000, help="adherents (one per household)")
    parser.add_argument("--checkins", type=int, default=300)
    args = parser.parse_args(sys.argv[1:])
    home = tempfile.mkdtemp(prefix="bench-gov-")
    os.environ.setdefault("MUTUALIS_HOME", home)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{home}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mutualis.core.models import OrgKind, User
    from mutualis.core.services import organisation_create
    from mutualis.governance import services
    from mutualis.governance.models import Assembly, Attendance, Voter
    from mutualis.members.models import Membership
    from tests.governance.conftest import make_registry

    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-root", "", "bench-password-123"
    )
    stamp = str(int(time.time()))
    mutual = organisation_create(
        actor=root, kind=OrgKind.MUTUAL, name="Bench", code=f"B{stamp}", currency="XOF"
    )
    sections = [
        organisation_create(
            actor=root, kind=OrgKind.SECTION, name=f"S{i}", code=f"B{stamp}-{i}", parent=mutual
        )
        for i in range(3)
    ]
    make_registry(mutual, sections, count=args.n)
    ga = services.assembly_create(
        actor=root,
        organisation=mutual,
        title="AG",
        held_on=date(2026, 6, 13),
        place="Thiès",
        agenda="Comptes",
        cutoff_on=date(2026, 5, 31),
    )
    services.assembly_convene(actor=root, assembly=ga, sent_on=date(2026, 5, 1))

    def reset_freeze():
        Voter.objects.filter(assembly=ga).delete()
        Assembly.objects.filter(pk=ga.pk).update(electorate_frozen_at=None)
        ga.electorate_frozen_at = None

    members = list(
        Membership.objects.filter(mutual=mutual, is_adherent=True, status="active").values_list(
            "pk", "section_id", "number"
        )
    )

    def plain():
        Voter.objects.bulk_create(
            [
                Voter(assembly=ga, membership_id=p, section_id=s, number=n, name="x")
                for p, s, n in members
            ],
            batch_size=2000,
        )

    base = best_of(3, plain, reset_freeze)
    ours = best_of(3, lambda: services.electorate_freeze(actor=root, assembly=ga), reset_freeze)
    n = len(members)
    print(
        f"electorate_freeze {n / ours:,.0f} voters/s ({n} in {ours:.2f} s) = "
        f"{base / ours:.2f} x plain bulk_create"
    )
    numbers = list(Voter.objects.filter(assembly=ga).values_list("number", flat=True))
    todo = numbers[: args.checkins]

    def reset_checkin():
        Attendance.objects.filter(assembly=ga).delete()

    ours = best_of(
        3,
        lambda: [services.check_in(actor=root, assembly=ga, number=x) for x in todo],
        reset_checkin,
    )
    print(f"check_in {len(todo) / ours:,.0f} cards/s ({ours / len(todo) * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()

"""Sampling decided claims for medical review, chunk by chunk (set-based).

    python -m benchmarks.bench_claims_review --claims 20000 --chunk 2000

Uses a throw-away SQLite database unless DATABASE_URL is set. Every rule is on
(random 10 %, amount, rare act, flagged item, outlier provider, feedback 5 %).
Prints claims/s and the ratio to what this machine does with a plain UPDATE of
the same chunks' status (never raw timings in tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

from benchmarks._timing import best_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=6000)
    parser.add_argument("--chunk", type=int, default=2000)
    args = parser.parse_args(sys.argv[1:])
    home = tempfile.mkdtemp(prefix="bench-review-")
    os.environ.setdefault("MUTUALIS_HOME", home)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{home}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mutualis.claims.models import (
        Claim,
        ClaimEvent,
        ClaimLine,
        FeedbackQuestion,
        ReviewCase,
        ReviewSettings,
    )
    from mutualis.claims.review import sample_for_review
    from mutualis.core.models import OrgKind, User
    from mutualis.core.services import organisation_create
    from mutualis.members.models import Membership
    from mutualis.providers.models import Provider
    from tests.governance.conftest import make_registry

    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-root", "", "bench-password-123"
    )
    stamp = str(int(time.time()))
    mutual = organisation_create(
        actor=root, kind=OrgKind.MUTUAL, name="Bench", code=f"R{stamp}", currency="XOF"
    )
    section = organisation_create(
        actor=root, kind=OrgKind.SECTION, name="S", code=f"R{stamp}-S", parent=mutual
    )
    make_registry(mutual, [section], count=500)
    members = list(Membership.objects.filter(mutual=mutual).values_list("pk", "household_id"))
    providers = Provider.objects.bulk_create(
        [
            Provider(organisation=mutual, code=f"R{stamp}-{i}", name=f"P{i}", kind="health_centre")
            for i in range(20)
        ]
    )
    items = ["CONS", "PARA", "AMOX", "NFS", "GE", "XRAY", "ECHO"] + [f"I{k}" for k in range(40)]
    start = date(2026, 1, 1)
    claims = Claim.objects.bulk_create(
        [
            Claim(
                mutual=mutual, section=section, provider=providers[i % 20],
                membership_id=members[i % len(members)][0],
                household_id=members[i % len(members)][1], source="api", care_type="out_patient",
                start_on=start + timedelta(days=i % 150), submitted_on=start, status="accepted",
                currency="XOF", claimed=Decimal(2000 + (i % 20) * 300 + (i % 97) * 50),
                entered_by=root,
            )
            for i in range(args.claims)
        ],
        batch_size=2000,
    )  # fmt: skip
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=c, position=k, item_code=items[(c.pk + k * 3) % len(items)], quantity=1,
                unit_price=Decimal(1000), on=c.start_on, status="accepted", claimed=Decimal(1000),
                accepted=Decimal(1000), mutual_share=Decimal(800), member_share=Decimal(200),
                payee="provider", accepted_quantity=1,
            )
            for c in claims
            for k in range(2)
        ],
        batch_size=4000,
    )  # fmt: skip
    ReviewSettings.objects.create(
        mutual=mutual, random_share=Decimal(10), amount_above=Decimal(9000), rare_below=3,
        flagged_items=["ECHO"], outlier_factor=Decimal("1.3"), feedback_share=Decimal(5),
    )  # fmt: skip
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh bulk rows: give the planner its statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim, claims_claimline")
    ids = [c.pk for c in claims]
    chunks = [ids[i : i + args.chunk] for i in range(0, len(ids), args.chunk)]

    def reset():
        ReviewCase.objects.filter(claim__mutual=mutual).delete()
        ClaimEvent.objects.filter(claim__mutual=mutual).delete()
        FeedbackQuestion.objects.filter(claim__mutual=mutual).delete()
        Claim.objects.filter(mutual=mutual).update(status="accepted")

    sampled = []

    def ours():
        sampled.append(sum(sample_for_review(mutual=mutual, claim_ids=c) for c in chunks))

    took = best_of(3, ours, reset)
    drawn = set(ReviewCase.objects.filter(claim__mutual=mutual).values_list("claim_id", flat=True))

    def plain():
        """The bare writes of the same sample: status, one case and one event per claim."""
        for chunk in chunks:
            mine = [pk for pk in chunk if pk in drawn]
            Claim.objects.filter(pk__in=mine).update(status="under_review")
            ReviewCase.objects.bulk_create(
                [ReviewCase(claim_id=pk, origin="sampled") for pk in mine]
            )
            ClaimEvent.objects.bulk_create(
                [ClaimEvent(claim_id=pk, kind="sampled", status="under_review") for pk in mine]
            )

    base = best_of(3, plain, reset)
    n = len(ids)
    print(
        f"sample_for_review {n / took:,.0f} claims/s ({n} claims in chunks of {args.chunk}, "
        f"{sampled[-1]} sampled, {took:.2f} s) = {base / took:.2f} x the bare writes "
        f"of the same sample ({n / base:,.0f} claims/s)"
    )


if __name__ == "__main__":
    main()

"""Claim adjudication throughput, engine only (DOMAIN §11: ~14 M claims a year).

    python -m benchmarks.bench_engine --n 200000

Generates seeded claims (4 lines each on average) for households of a basic
package with rates, a fixed co-payment, ceilings, count and frequency limits,
then times ``adjudicate_many`` (best of 3, after a warm-up) and prints lines/s.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from decimal import Decimal as D

from benchmarks._timing import best_of
from mutualis.engine.adjudication import Claim, ClaimContext, ClaimLine, adjudicate_many
from mutualis.engine.benefits import (
    Agreement,
    BenefitRule,
    CareType,
    CatalogueItem,
    Ceiling,
    CountLimit,
    CountUnit,
    Coverage,
    PackageKind,
    PackageVersion,
    Scope,
    Window,
)
from mutualis.engine.eligibility import Beneficiary, CoveragePeriod, MemberFacts, Sex

CATALOGUE = {
    c.code: c
    for c in (
        CatalogueItem("CONS", "consultation", D(2000)),
        CatalogueItem("PARA", "medicine", D(100)),
        CatalogueItem("AMOX", "medicine", D(250)),
        CatalogueItem("LAB", "laboratory", D(2500)),
        CatalogueItem("XRAY", "imaging", D(15000)),
        CatalogueItem("GLASSES", "optics", D(30000), CareType.OUT_PATIENT),
        CatalogueItem("ANC", "antenatal", D(3000), CareType.OUT_PATIENT),
    )
}
PACKAGE = PackageVersion(
    id="BASIC-2025",
    package_id="BASIC",
    name="Basic",
    kind=PackageKind.BASIC,
    effective_from=date(2024, 1, 1),
    currency="XOF",
    rules=(
        BenefitRule(
            "consultation",
            coverage=Coverage(fixed_copay=D(200)),
            count_limits=(CountLimit(12, unit=CountUnit.VISITS),),
        ),
        BenefitRule(
            "medicine",
            coverage=Coverage(rate=D("0.8")),
            by_member_category={"indigent": Coverage.exempt()},
        ),
        BenefitRule(
            "medicine",
            item="AMOX",
            coverage=Coverage(rate=D("0.9")),
            count_limits=(CountLimit(60, Window.rolling(30)),),
        ),
        BenefitRule(
            "laboratory",
            coverage=Coverage(rate=D("0.8")),
            ceilings=(Ceiling(Scope.BENEFICIARY, D(20000)),),
        ),
        BenefitRule(
            "imaging",
            coverage=Coverage(rate=D("0.7")),
            referral_required=False,
            ceilings=(Ceiling(Scope.ACT, D(10000)),),
        ),
        BenefitRule(
            "optics", coverage=Coverage(rate=D("0.5")), frequency=CountLimit(1, Window.rolling(730))
        ),
        BenefitRule(
            "antenatal",
            coverage=Coverage.exempt(),
            count_limits=(CountLimit(8, unit=CountUnit.VISITS),),
        ),
    ),
    ceilings=(
        Ceiling(Scope.BENEFICIARY, D(300000)),
        Ceiling(Scope.HOUSEHOLD, D(1000000)),
    ),
)
ITEMS = [
    ("CONS", 1, 2000),
    ("PARA", 20, 100),
    ("AMOX", 21, 250),
    ("LAB", 1, 2500),
    ("XRAY", 1, 16000),
    ("GLASSES", 1, 30000),
    ("ANC", 1, 3000),
]
WEIGHTS = [30, 30, 15, 12, 5, 2, 6]


def build(n_lines: int, seed: int = 7) -> tuple[list[Claim], ClaimContext]:
    rnd = random.Random(seed)
    n_ben = max(1, n_lines // 20)
    members = {}
    for b in range(n_ben):
        ben = Beneficiary(
            f"B{b}",
            f"H{b // 5}",
            Sex.FEMALE if b % 2 else Sex.MALE,
            date(1960 + b % 60, 1, 1),
            category="indigent" if b % 10 == 0 else "informal",
        )
        members[ben.id] = MemberFacts(
            ben, (CoveragePeriod("BASIC", date(2024, 1, 1), date(2025, 12, 31)),)
        )
    claims: list[Claim] = []
    lines = 0
    start = date(2025, 1, 1)
    while lines < n_lines:
        k = min(n_lines - lines, rnd.randint(2, 6))
        picks = rnd.choices(ITEMS, WEIGHTS, k=k)
        day = start + timedelta(days=rnd.randrange(180))
        claims.append(
            Claim(
                id=f"C{len(claims):08d}",
                beneficiary_id=f"B{rnd.randrange(n_ben)}",
                provider_id=f"P{rnd.randrange(20)}",
                start=day,
                submitted=day + timedelta(days=rnd.randrange(30)),
                lines=tuple(ClaimLine(code, q, D(p)) for code, q, p in picks),
                diagnoses=("A09",),
            )
        )
        lines += k
    tariffs = {c: i.reference_price for c, i in CATALOGUE.items()}
    ctx = ClaimContext(
        catalogue=CATALOGUE,
        agreements=tuple(Agreement(f"P{p}", date(2024, 1, 1), tariffs=tariffs) for p in range(20)),
        members=members,
        packages=(PACKAGE,),
        diagnoses=frozenset({"A09"}),
        today=date(2025, 12, 31),
        submission_deadline_days=90,
    )
    return claims, ctx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000, help="claim lines")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    claims, ctx = build(args.n)
    n = sum(len(c.lines) for c in claims)
    adjudicate_many(claims[: max(1, len(claims) // 20)], ctx)  # warm-up
    secs = best_of(args.repeat, lambda: adjudicate_many(claims, ctx))
    decisions = adjudicate_many(claims, ctx)
    accepted = sum(1 for d in decisions for ln in d.lines if ln.accepted_quantity)
    print(
        f"adjudicate_many {n:,} lines in {secs:.2f} s = {n / secs:,.0f} lines/s "
        f"({accepted / n:.0%} accepted)"
    )


if __name__ == "__main__":
    main()

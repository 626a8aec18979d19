"""Dues per second of the engine's many-households path (DOMAIN §5, §11).

    python -m benchmarks.bench_dues_engine --n 1000000

Seeded households of a Rwanda-like mutual (income bands, State subsidies for
bands 1 and 2, a partner paying for children under five, pro rata by month for
newborns, registration fee for new households) go through ``compute_dues_many``;
then a tenth of them, with a year of monthly dues and payments, through
``run_standing_many``. Best of 3 after a warm-up; the baseline is a plain loop
that only builds one due per household, what any path must at least do.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from benchmarks._timing import best_of
from mutualis.engine.contributions import (
    Beneficiary,
    Category,
    DueKind,
    Household,
    PayerDue,
    Period,
    ProRata,
    Rate,
    Schedule,
    ScheduleKind,
    Subsidy,
    compute_dues_many,
)
from mutualis.engine.payments import Due, Paid
from mutualis.engine.standing import (
    CoveragePeriod,
    CoverStatus,
    HouseholdAccount,
    MembershipStatus,
    StatuteOptions,
    run_standing_many,
)

START, END = date(2026, 7, 1), date(2027, 6, 30)
SCHEDULE = Schedule(
    kind=ScheduleKind.INCOME_BANDS,
    currency="RWF",
    period=Period.YEARLY,
    varies_by="income_band",
    rates=tuple(
        Rate(band, Decimal(amount))
        for band, amount in (("1", 4000), ("2", 4000), ("3", 5000), ("4", 8000), ("5", 20000))
    ),
    registration_fee=Decimal(1000),
    pro_rata=ProRata.BY_MONTH,
)
SUBSIDIES = (
    Subsidy(payer="state", share=Decimal(1), income_band="1", fees=True),
    Subsidy(payer="state", fixed=Decimal(1000), income_band="2"),
    Subsidy(payer="partner", share=Decimal("0.5"), under_age=5),
)
BANDS = ("1", "2", "2", "3", "3", "3", "4", "5")


def households(n: int, seed: int = 2026) -> list[Household]:
    rng = random.Random(seed)
    out = []
    next_id = 0
    for index in range(n):
        people = []
        for _ in range(rng.randint(1, 8)):
            next_id += 1
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(27_000))
            joined = START + timedelta(days=rng.randrange(365)) if rng.random() < 0.05 else None
            category = Category.STUDENT if rng.random() < 0.03 else None
            people.append(Beneficiary(next_id, category, born, covered_from=joined))
        new = rng.random() < 0.03
        out.append(
            Household(
                id=index,
                beneficiaries=tuple(people),
                income_band=rng.choice(BANDS),
                enrolled_on=START + timedelta(days=rng.randrange(365)) if new else None,
            )
        )
    return out


def accounts(n: int, seed: int = 7) -> list[HouseholdAccount]:
    rng = random.Random(seed)
    period = CoveragePeriod(
        "p", "basic", date(2026, 1, 1), date(2026, 12, 31), CoverStatus.ACTIVE, date(2026, 1, 3)
    )
    out = []
    for index in range(n):
        late = rng.random() < 0.1
        dues = []
        for month in range(1, 13):
            first = date(2026, month, 1)
            last = date(2026 + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            pay_day = first + timedelta(days=rng.randrange(40 if late else 4))
            paid = (Paid(pay_day, Decimal(3000)),) if pay_day <= date(2026, 11, 20) else ()
            dues.append(
                Due(
                    month,
                    DueKind.CONTRIBUTION,
                    first + timedelta(days=4),
                    Decimal(3000),
                    paid,
                    first,
                    last,
                )
            )
        out.append(
            HouseholdAccount(index, tuple(dues), (period,), MembershipStatus.ACTIVE, period.since)
        )
    return out


def plain(rows: list[Household]) -> list:
    due = PayerDue("member", DueKind.CONTRIBUTION, Decimal(0))
    return [(h.id, (due,)) for h in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="households")
    args = parser.parse_args()
    n = args.n

    started = time.perf_counter()
    rows = households(n)
    people = sum(len(h.beneficiaries) for h in rows)
    gc.freeze()  # the inputs live long, as in a service reading rows in chunks
    print(
        f"built {n:,} households, {people:,} beneficiaries in {time.perf_counter() - started:.1f} s"
    )

    def ours():
        return compute_dues_many(
            schedule=SCHEDULE,
            households=rows,
            period_start=START,
            period_end=END,
            subsidies=SUBSIDIES,
        )

    batch = ours()  # warm-up, and the rows it produces
    dues = sum(len(d) for _, d in batch.results)
    base = best_of(3, lambda: plain(rows))
    took = best_of(3, ours)
    print(
        f"compute_dues_many {n / took:,.0f} households/s, {dues / took:,.0f} dues/s "
        f"({dues:,} dues, {len(batch.errors)} errors, {took:.2f} s) "
        f"= {base / took:.2f} x a plain loop building one due per household"
    )

    m = max(n // 10, 1)
    book = accounts(m)
    gc.freeze()
    options = StatuteOptions(grace_days=30, strike_off_months=3)
    on = date(2026, 12, 15)
    runs = run_standing_many(accounts=book, on=on, options=options)
    took = best_of(3, lambda: run_standing_many(accounts=book, on=on, options=options))
    print(
        f"run_standing_many {m / took:,.0f} households/s "
        f"({m:,} households with 12 monthly dues, {len(runs):,} with changes, {took:.2f} s)"
    )


if __name__ == "__main__":
    main()

"""ORM rows ↔ the engine's dataclasses (mutualis.engine.contributions / payments / standing).

Services load rows with `values()` (no model instances on batch paths), build the
engine's frozen dataclasses here, and store the engine's decisions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Max

from mutualis.engine import contributions as ec
from mutualis.engine import payments as ep
from mutualis.engine import standing as es

from .models import Allocation, CoverageChange, Due, Schedule


def engine_schedule(schedule: Schedule, rates=None) -> ec.Schedule:
    """The engine's Schedule for a row (`rates`: (key, value) pairs, else from the DB)."""
    if rates is None:
        rates = [(r.key, r.value) for r in schedule.rates.all()] if schedule.pk else []
    return ec.Schedule(
        kind=ec.ScheduleKind(schedule.kind) if schedule.kind in ec.ScheduleKind else schedule.kind,
        currency=schedule.currency,
        period=ec.Period(schedule.period) if schedule.period in ec.Period else schedule.period,
        amount=Decimal(schedule.amount or 0),
        varies_by=schedule.varies_by or None,
        rates=tuple(ec.Rate(str(k), Decimal(v)) for k, v in rates),
        household_cap=schedule.household_cap,
        income_rate=schedule.income_rate,
        floor=schedule.floor,
        ceiling=schedule.ceiling,
        registration_fee=Decimal(schedule.registration_fee or 0),
        membership_fee=Decimal(schedule.membership_fee or 0),
        membership_fee_month=schedule.membership_fee_month,
        renewal_discount=Decimal(schedule.renewal_discount or 0),
        pro_rata=ec.ProRata(schedule.pro_rata) if schedule.pro_rata in ec.ProRata else "?",
    )


def engine_subsidies(schedule: Schedule) -> tuple[ec.Subsidy, ...]:
    return tuple(
        ec.Subsidy(
            payer=str(s.payer_id),
            share=s.share,
            fixed=s.fixed,
            category=s.category or None,
            income_band=s.income_band or None,
            under_age=s.under_age,
            fees=s.fees,
        )
        for s in schedule.subsidies.all()
    )


def statute_options(schedule: Schedule | None) -> es.StatuteOptions:
    if schedule is None:
        return es.StatuteOptions()
    steps = ()
    if schedule.cover_share < 1 and schedule.partial_cover_months:
        steps = (es.CoverStep(Decimal(schedule.cover_share), schedule.partial_cover_months),)
    return es.StatuteOptions(
        grace_days=schedule.grace_days,
        cover_steps=steps,
        strike_off_months=schedule.strike_off_months or None,
    )


def period_of(schedule: Schedule, year: int, month: int) -> tuple[date, date]:
    """The schedule's period containing the month `year`-`month`."""
    months = ec.Period(schedule.period).months
    offset = 0 if months == 1 else (month - schedule.first_month) % months
    index = year * 12 + month - 1 - offset
    start = date(index // 12, index % 12 + 1, 1)
    return start, ec.period_end(ec.Period(schedule.period), start)


def engine_dues(household_ids, *, on: date | None = None) -> dict[int, list[ep.Due]]:
    """Dues of the households with their allocations (value-dated on or before `on`).

    Two queries, whatever the number of households.
    """
    rows = list(
        Due.objects.filter(household_id__in=household_ids).values_list(
            "id",
            "household_id",
            "kind",
            "due_date",
            "amount",
            "period_start",
            "period_end",
            "payer_id",
        )
    )
    paid: dict[int, list[ep.Paid]] = defaultdict(list)
    allocations = Allocation.objects.filter(due__household_id__in=household_ids)
    if on is not None:
        allocations = allocations.filter(value_date__lte=on)
    for due_id, value_date, amount in allocations.values_list("due_id", "value_date", "amount"):
        paid[due_id].append(ep.Paid(value_date, Decimal(amount)))
    return engine_dues_from(rows, paid)


def engine_dues_from(rows, paid: dict[int, list[ep.Paid]]) -> dict[int, list[ep.Due]]:
    """Engine dues by household from due rows (id, household, kind, due date, amount,
    period start, period end, payer) and the payments of each due."""
    out: dict[int, list[ep.Due]] = defaultdict(list)
    for due_id, hh, kind, due_date, amount, start, end, payer_id in rows:
        out[hh].append(
            ep.Due(
                id=due_id,
                kind=ec.DueKind(kind),
                due_date=due_date,
                amount=Decimal(amount),
                paid=tuple(paid.get(due_id, ())),
                period_start=start if kind == ec.DueKind.CONTRIBUTION else None,
                period_end=end if kind == ec.DueKind.CONTRIBUTION else None,
                payer=ec.MEMBER if payer_id is None else str(payer_id),
            )
        )
    return out


def coverage_since(coverage_ids) -> dict[int, date]:
    """Date of each coverage period's last recorded status change."""
    return dict(
        CoverageChange.objects.filter(coverage_id__in=coverage_ids)
        .values("coverage_id")
        .annotate(last=Max("effective_on"))
        .values_list("coverage_id", "last")
    )

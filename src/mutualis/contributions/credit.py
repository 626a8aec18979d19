"""Automatic use of a household's credit (DOMAIN §5: an overpayment is a credit).

A payment larger than the open dues keeps the rest as its `credit`. When new
dues appear (dues generation, the daily run), `credit_apply` settles them from
that credit in the allocation order of `engine.payments.allocate_payment`
(registration fee, then GA fee, then the oldest contribution). Each use is an
`Allocation` of the payment it came from, marked `from_credit` and dated the day
it was applied, so it shows on the statement and the household page, and
reversing the payment reverses it too (the reversal negates every allocation
of the payment, credit ones included).

Set-based: per chunk of households, two locked reads (payments with credit,
open dues), the engine in memory, then one COPY (`bulk_create` on SQLite) of
allocations and one `UPDATE … FROM` each for dues' paid amounts and payments'
credit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record
from mutualis.engine import contributions as ec
from mutualis.engine import payments as ep

from .models import Allocation, Due, Payment, PaymentMethod

CHUNK = 5000


@dataclass
class CreditResult:
    households: int = 0
    allocations: int = 0
    amount: Decimal = Decimal(0)


def _with_credit(mutual, household_ids) -> list[int]:
    """Households of the mutual holding credit (payments not reversed)."""
    qs = Payment.objects.filter(mutual=mutual, credit__gt=0, household__isnull=False).exclude(
        method=PaymentMethod.REVERSAL
    )
    if household_ids is None:
        return sorted(set(qs.values_list("household_id", flat=True)))
    ids = sorted(set(household_ids))
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            qs.filter(household_id__in=ids[start : start + CHUNK]).values_list(
                "household_id", flat=True
            )
        )
    return sorted(found)


def credit_apply(*, actor, mutual, household_ids=None, on: date) -> CreditResult:
    """Settle the open dues of households holding credit from that credit, dated `on`.

    `household_ids`: only those households (e.g. the ones dues generation just
    billed); None: every household of the mutual. `actor` None is the system
    (the nightly command). Running it again changes nothing.
    """
    if actor is not None:
        require(actor, Perm.PAYMENT_RECORD, on=mutual)
    ids = _with_credit(mutual, household_ids)
    total = CreditResult()
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            part = _apply_chunk(ids[start : start + CHUNK], on)
        total.households += part.households
        total.allocations += part.allocations
        total.amount += part.amount
    if total.allocations:
        audit_record(
            actor=actor,
            action="credit.apply",
            organisation=mutual,
            data={
                "date": on.isoformat(),
                "households": total.households,
                "allocations": total.allocations,
                "amount": str(total.amount),
            },
        )
    return total


def _apply_chunk(ids: list[int], on: date) -> CreditResult:
    from .bulk_payments import _insert_rows
    from .services import bulk_add

    payments = list(
        # Lock the payments only: "not reversed" is an outer join PostgreSQL will not lock.
        Payment.objects.select_for_update(of=("self",))
        .filter(household_id__in=ids, credit__gt=0, reversed_by__isnull=True)
        .exclude(method=PaymentMethod.REVERSAL)
        .order_by("household_id", "value_date", "id")
        .values_list("id", "household_id", "credit")
    )
    dues_rows = (
        Due.objects.select_for_update()
        .filter(household_id__in=ids, payer__isnull=True, paid__lt=F("amount"))
        .order_by("household_id", "due_date", "id")
        .values_list("id", "household_id", "kind", "due_date", "amount", "paid")
    )
    open_dues: dict[int, list[ep.Due]] = defaultdict(list)
    for pk, hh, kind, due_date, amount, paid in dues_rows:
        open_dues[hh].append(
            ep.Due(
                id=pk,
                kind=ec.DueKind(kind),
                due_date=due_date,
                amount=Decimal(amount),
                paid=(ep.Paid(due_date, Decimal(paid)),) if paid else (),
            )
        )
    result = CreditResult()
    allocations: list[dict] = []
    due_paid: dict[int, Decimal] = defaultdict(Decimal)
    credit_used: dict[int, Decimal] = {}
    touched: set[int] = set()
    for payment_id, hh, credit in payments:
        dues = open_dues.get(hh)
        if not dues or not any(d.outstanding > 0 for d in dues):
            continue
        decided = ep.allocate_payment(
            amount=Decimal(credit), open_dues=[d for d in dues if d.outstanding > 0]
        )
        if not decided.lines:
            continue
        open_dues[hh] = list(ep.apply_allocation(dues=dues, lines=decided.lines, value_date=on))
        for line in decided.lines:
            allocations.append(
                {
                    "payment_id": payment_id,
                    "due_id": line.due_id,
                    "amount": line.amount,
                    "value_date": on,
                    "from_credit": True,
                }
            )
            due_paid[line.due_id] += line.amount
        credit_used[payment_id] = -decided.allocated
        result.amount += decided.allocated
        touched.add(hh)
    _insert_rows(Allocation, allocations)  # COPY on PostgreSQL
    bulk_add(Due, "paid", dict(due_paid))
    bulk_add(Payment, "credit", credit_used)
    result.households = len(touched)
    result.allocations = len(allocations)
    return result

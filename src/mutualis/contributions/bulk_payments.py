"""Set-based allocation of an operator statement (mobile money).

Every line was validated before this runs (`services.momo_import`). Here, per
chunk of lines: find the households named in the reference texts (one query on
beneficiary numbers, one on household numbers), phone suggestions for the rest
(one query), the open dues of the matched households (one query), allocate with
the engine in memory, then bulk-create payments, allocations and lines and add
to the dues' paid amounts with one UPDATE … FROM per chunk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import F

from mutualis.core.services import audit_record, sequence_reserve
from mutualis.engine import contributions as ec
from mutualis.engine import payments as ep
from mutualis.members.models import ENDED, Household, Membership

from .models import (
    Allocation,
    Due,
    ImportStatus,
    MobileMoneyImport,
    MobileMoneyLine,
    Payment,
    PaymentMethod,
)
from .services import MomoResult, _bulk_add_paid

CHUNK = 10000
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{3,}")


def _tokens(text: str) -> list[str]:
    return [t.upper() for t in _TOKEN.findall(text or "")]


def _match(mutual, rows) -> tuple[dict[int, int], dict[int, int]]:
    """line_no → household id when the text names exactly one; phone suggestions."""
    tokens = {t for r in rows for t in _tokens(r["text"])}
    by_token: dict[str, int] = {}
    token_list = list(tokens)
    for start in range(0, len(token_list), 5000):
        part = token_list[start : start + 5000]
        by_token.update(
            Membership.objects.filter(mutual=mutual, number__in=part).values_list(
                "number", "household_id"
            )
        )
        by_token.update(
            Household.objects.filter(mutual=mutual, number__in=part).values_list("number", "pk")
        )
    matched: dict[int, int] = {}
    for r in rows:
        found = {by_token[t] for t in _tokens(r["text"]) if t in by_token}
        if len(found) == 1:
            matched[r["line_no"]] = found.pop()
    phones = {r["phone"] for r in rows if r["line_no"] not in matched and r["phone"]}
    suggestions: dict[int, int] = {}
    if phones:
        by_phone: dict[str, set[int]] = defaultdict(set)
        for phone, hh in (
            Membership.objects.filter(mutual=mutual, person__phone__in=phones)
            .exclude(status__in=ENDED)
            .values_list("person__phone", "household_id")
        ):
            by_phone[phone].add(hh)
        for r in rows:
            found = by_phone.get(r["phone"]) if r["line_no"] not in matched else None
            if found and len(found) == 1:
                suggestions[r["line_no"]] = next(iter(found))
    return matched, suggestions


def momo_allocate(*, actor, mutual, operator, file_name, sha, rows, progress=None, on=None):
    refs = [r["reference"] for r in rows]
    known: set[str] = set()
    for start in range(0, len(refs), 5000):
        known.update(
            MobileMoneyLine.objects.filter(
                mutual=mutual, operator=operator, operator_reference__in=refs[start : start + 5000]
            )
            .exclude(status=ImportStatus.DUPLICATE)
            .values_list("operator_reference", flat=True)
        )
    statement = MobileMoneyImport.objects.create(
        mutual=mutual,
        operator=operator,
        file_name=file_name[:200],
        file_sha256=sha,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        lines_total=len(rows),
    )
    allocated = unmatched = duplicates = 0
    households: set[int] = set()
    if progress is not None:
        progress.set_total(len(rows))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with transaction.atomic():
            a, u, d, hh = _chunk(actor, mutual, operator, statement, chunk, known)
        allocated, unmatched, duplicates = allocated + a, unmatched + u, duplicates + d
        households |= hh
        if progress is not None:
            progress.advance(len(chunk))
    MobileMoneyImport.objects.filter(pk=statement.pk).update(
        allocated=allocated, unmatched=unmatched, duplicates=duplicates
    )
    statement.refresh_from_db()
    audit_record(
        actor=actor,
        action="payment.mobile_money_import",
        target=statement,
        organisation=mutual,
        data={"lines": len(rows), "allocated": allocated, "unmatched": unmatched},
    )
    if on is not None and households:
        from .status import status_refresh

        status_refresh(mutual=mutual, on=on, household_ids=sorted(households), actor=actor)
    return MomoResult(statement, allocated, unmatched, duplicates)


def _chunk(actor, mutual, operator, statement, rows, known):
    fresh = [r for r in rows if r["reference"] not in known]
    matched, suggestions = _match(mutual, fresh)
    households = set(matched.values())
    open_dues: dict[int, list[ep.Due]] = defaultdict(list)
    hh_list = list(households)
    for start in range(0, len(hh_list), 5000):
        for pk, hh, kind, due_date, amount, paid in (
            Due.objects.select_for_update()
            .filter(
                household_id__in=hh_list[start : start + 5000],
                payer__isnull=True,
                paid__lt=F("amount"),
            )
            .values_list("pk", "household_id", "kind", "due_date", "amount", "paid")
        ):
            open_dues[hh].append(
                ep.Due(
                    id=pk,
                    kind=ec.DueKind(kind),
                    due_date=due_date,
                    amount=amount,
                    paid=(ep.Paid(due_date, paid),) if paid else (),
                )
            )
    sections = dict(
        Household.objects.filter(pk__in=hh_list).values_list("pk", "section_id") if hh_list else []
    )
    to_pay = sorted(
        (r for r in fresh if r["line_no"] in matched),
        key=lambda r: (r["value_date"], r["line_no"]),
    )
    years: dict[int, list[dict]] = defaultdict(list)
    for r in to_pay:
        years[r["value_date"].year].append(r)
    numbers: dict[int, str] = {}
    for year, items in years.items():
        first = sequence_reserve(key=f"receipt:{mutual.pk}:{year}", count=len(items))
        for offset, r in enumerate(items):
            numbers[r["line_no"]] = f"{mutual.code}-{year}-{first + offset:06d}"

    payments: list[Payment] = []
    plans: list[tuple[Payment, list[ep.AllocationLine], date]] = []
    added: dict[int, object] = defaultdict(int)
    for r in to_pay:
        hh = matched[r["line_no"]]
        dues = open_dues[hh]
        allocation = ep.allocate_payment(amount=r["amount"], open_dues=dues)
        if allocation.lines:
            open_dues[hh] = list(
                ep.apply_allocation(dues=dues, lines=allocation.lines, value_date=r["value_date"])
            )
        payment = Payment(
            mutual=mutual,
            section_id=sections.get(hh),
            household_id=hh,
            method=PaymentMethod.MOBILE_MONEY,
            amount=r["amount"],
            currency=mutual.currency,
            credit=allocation.credit,
            value_date=r["value_date"],
            receipt_number=numbers[r["line_no"]],
            reference=r["reference"],
            idempotency_key=f"momo:{operator}:{r['reference']}",
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        payments.append(payment)
        plans.append((payment, list(allocation.lines), r["value_date"]))
        for line in allocation.lines:
            added[line.due_id] += line.amount
    Payment.objects.bulk_create(payments, batch_size=5000)
    Allocation.objects.bulk_create(
        (
            Allocation(payment=p, due_id=line.due_id, amount=line.amount, value_date=value_date)
            for p, lines, value_date in plans
            for line in lines
        ),
        batch_size=5000,
    )
    _bulk_add_paid(dict(added))
    by_line = {p.reference: p for p in payments}
    lines = []
    for r in rows:
        if r["reference"] in known:
            status, hh, payment = ImportStatus.DUPLICATE, None, None
        elif r["line_no"] in matched:
            status, hh = ImportStatus.ALLOCATED, matched[r["line_no"]]
            payment = by_line[r["reference"]]
        else:
            status, hh, payment = ImportStatus.UNMATCHED, None, None
        lines.append(
            MobileMoneyLine(
                statement=statement,
                mutual=mutual,
                line_no=r["line_no"],
                operator=operator,
                operator_reference=r["reference"],
                phone=r["phone"][:32],
                amount=r["amount"],
                value_date=r["value_date"],
                text=r["text"],
                status=status,
                household_id=hh,
                suggested_household_id=suggestions.get(r["line_no"]),
                payment=payment,
            )
        )
    MobileMoneyLine.objects.bulk_create(lines, batch_size=5000)
    counts = {s: 0 for s in ImportStatus.values}
    for line in lines:
        counts[line.status] += 1
    return (
        counts[ImportStatus.ALLOCATED],
        counts[ImportStatus.UNMATCHED],
        counts[ImportStatus.DUPLICATE],
        households,
    )

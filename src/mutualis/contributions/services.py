"""Writes of the contributions app (DOMAIN §5): schedules, payments, imports, collectors.

Every service is keyword-only, takes the acting user first, runs in a
transaction, checks rights, and leaves an audit trail. Decisions come from the
engine (`engine.contributions`, `engine.payments`); this module loads, locks,
calls it and stores what it decided. Dues generation is in `dues.py`, the daily
status run in `status.py`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import BooleanField, F, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, sequence_reserve
from mutualis.engine import contributions as ec
from mutualis.engine import payments as ep
from mutualis.engine.money import UnknownCurrency, currency
from mutualis.members.models import ENDED, Household, MemberCategory, Membership

from .errors import (
    AlreadyReversed,
    DuplicateReference,
    IdempotencyConflict,
    MemberLeft,
    PaymentInvalid,
    StatementInvalid,
    from_rule_error,
)
from .mapping import engine_schedule
from .models import (
    Allocation,
    CashHandover,
    Due,
    ImportStatus,
    MobileMoneyImport,
    MobileMoneyLine,
    Payer,
    Payment,
    PaymentMethod,
    ReceiptBook,
    Schedule,
    ScheduleRate,
    Subsidy,
)

# The partial unique index's own condition as a literal, not a parameter: a prepared
# statement's generic plan can then use the index (mutual, key) WHERE NOT key = ''.
_KEYED = RawSQL("NOT (idempotency_key = '')", (), output_field=BooleanField())

# --- Schedules -------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "name",
    "kind",
    "period",
    "first_month",
    "amount",
    "varies_by",
    "household_cap",
    "income_rate",
    "floor",
    "ceiling",
    "registration_fee",
    "membership_fee",
    "membership_fee_month",
    "renewal_discount",
    "pro_rata",
    "due_days",
    "grace_days",
    "cover_share",
    "partial_cover_months",
    "strike_off_months",
    "is_active",
    "package",
    "currency",
)


def schedule_check(schedule: Schedule, rates: list[tuple[str, Decimal]]) -> None:
    """Refuse a schedule that rates by risk or cannot compute (engine rules + categories).

    Used by the service, the admin form and the API, so all three give the same answer.
    """
    if not (schedule.name or "").strip():
        raise ValidationFailed(fields={"name": _("The name is required.")})
    try:
        ec.validate_schedule(engine_schedule(schedule, rates))
    except ec.RuleError as exc:
        raise from_rule_error(exc) from None
    if schedule.varies_by == ec.Criterion.CATEGORY:
        unknown = [k for k, _v in rates if k not in MemberCategory.values]
        if unknown:
            raise ValidationFailed(
                fields={
                    "rates": _("“{key}” is not a member category.").format(key=unknown[0]),
                }
            )
    if not 1 <= schedule.first_month <= 12:
        raise ValidationFailed(fields={"first_month": _("A month is between 1 and 12.")})
    if not Decimal(0) < schedule.cover_share <= 1:
        raise ValidationFailed(fields={"cover_share": _("A share is between 0 and 1.")})


def parse_rates(text: str) -> list[tuple[str, Decimal]]:
    """“informal=3500; formal=7000” or one per line → [(key, value)]."""
    rates = []
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise InvalidOperation
            rates.append((key.strip(), Decimal(value.strip().replace(" ", ""))))
        except InvalidOperation:
            raise ValidationFailed(
                fields={"rates": _("Write each rate as key=amount, e.g. informal=3500.")}
            ) from None
    return rates


@transaction.atomic
def schedule_save(
    *,
    actor,
    mutual,
    data: dict,
    rates: list[tuple[str, Decimal]] | None = None,
    schedule: Schedule | None = None,
) -> Schedule:
    """Create or change a schedule. A risk-rated schedule raises ScheduleRatesByRisk."""
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    is_new = schedule is None
    schedule = schedule or Schedule(mutual=mutual, currency=mutual.currency)
    for key, value in data.items():
        if key in SCHEDULE_FIELDS and value is not None:
            setattr(schedule, key, value)
    if rates is None:
        rates = [(r.key, r.value) for r in schedule.rates.all()] if not is_new else []
    schedule_check(schedule, rates)
    with acting_as(actor):
        schedule.save()
        schedule.rates.all().delete()
        ScheduleRate.objects.bulk_create(
            ScheduleRate(schedule=schedule, key=k, value=v) for k, v in rates
        )
    audit_record(
        actor=actor,
        action="schedule.create" if is_new else "schedule.update",
        target=schedule,
        organisation=mutual,
        data={"kind": schedule.kind, "varies_by": schedule.varies_by},
    )
    return schedule


@transaction.atomic
def payer_create(*, actor, mutual, code: str, name: str, kind: str) -> Payer:
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    if not code.strip() or not name.strip():
        raise ValidationFailed(fields={"name": _("The name is required.")})
    if Payer.objects.filter(mutual=mutual, code=code.strip()).exists():
        raise ValidationFailed(fields={"code": _("This code is already used.")})
    with acting_as(actor):
        payer = Payer.objects.create(mutual=mutual, code=code.strip(), name=name, kind=kind)
    audit_record(actor=actor, action="payer.create", target=payer, organisation=mutual)
    return payer


@transaction.atomic
def subsidy_add(
    *,
    actor,
    schedule: Schedule,
    payer: Payer,
    share: Decimal | None = None,
    fixed: Decimal | None = None,
    category: str = "",
    income_band: str = "",
    under_age: int | None = None,
    fees: bool = False,
) -> Subsidy:
    """A third party pays a share (or fixed amount) for a category: a subsidy, not a rating."""
    require(actor, Perm.PACKAGE_MANAGE, on=schedule.mutual)
    if payer.mutual_id != schedule.mutual_id:
        raise ValidationFailed(fields={"payer": _("Unknown payer.")})
    if category and category not in MemberCategory.values:
        raise ValidationFailed(fields={"category": _("Unknown member category.")})
    try:
        ec.validate_subsidy(
            ec.Subsidy(
                payer=str(payer.pk),
                share=share,
                fixed=fixed,
                category=category or None,
                under_age=under_age,
            )
        )
    except ec.RuleError as exc:
        raise from_rule_error(exc) from None
    subsidy = Subsidy.objects.create(
        schedule=schedule,
        payer=payer,
        position=schedule.subsidies.count(),
        share=share,
        fixed=fixed,
        category=category,
        income_band=income_band,
        under_age=under_age,
        fees=fees,
    )
    audit_record(actor=actor, action="subsidy.add", target=subsidy, organisation=schedule.mutual)
    return subsidy


# --- Payments --------------------------------------------------------------------


def parse_amount(value, cur_code: str) -> Decimal:
    """A positive amount in the currency's minor unit, else a clear PaymentInvalid."""
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise PaymentInvalid(fields={"amount": _("This is not a valid amount.")}) from None
    if not amount.is_finite():
        raise PaymentInvalid(fields={"amount": _("This is not a valid amount.")})
    if amount <= 0:
        raise PaymentInvalid(
            _("The amount must be more than zero."),
            fields={"amount": _("The amount must be more than zero.")},
        )
    cur = currency(cur_code)
    if cur.quantize(amount) != amount:
        raise PaymentInvalid(
            fields={
                "amount": _("{currency} has no smaller unit than {step}.").format(
                    currency=cur.code, step=cur.step
                )
            }
        )
    return amount


def check_currency(code: str | None, mutual) -> str:
    code = (code or mutual.currency).strip().upper()
    try:
        currency(code)
    except UnknownCurrency:
        raise PaymentInvalid(
            _("Unknown currency “{code}”.").format(code=code),
            fields={"currency": _("Unknown currency.")},
        ) from None
    if code != mutual.currency:
        raise PaymentInvalid(
            _("This mutual keeps its accounts in {currency}.").format(currency=mutual.currency),
            fields={"currency": _("Use {currency}.").format(currency=mutual.currency)},
        )
    return code


def receipt_number(mutual, year: int) -> str:
    n = sequence_reserve(key=f"receipt:{mutual.pk}:{year}")
    return f"{mutual.code}-{year}-{n:06d}"


def _fingerprint(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


@dataclass(frozen=True)
class PaymentInput:
    amount: Decimal
    value_date: date
    method: str = PaymentMethod.CASH
    currency: str | None = None
    reference: str = ""
    dues: tuple[int, ...] | None = None  # chosen dues, else oldest first
    collector_id: int | None = None
    book_number: int | None = None


def _lock_open_dues(household_id: int) -> list[Due]:
    return list(
        Due.objects.select_for_update()
        .filter(household_id=household_id, payer__isnull=True, paid__lt=F("amount"))
        .order_by("due_date", "id")
    )


def _engine_open(dues: list[Due]) -> list[ep.Due]:
    return [
        ep.Due(
            id=d.pk,
            kind=ec.DueKind(d.kind),
            due_date=d.due_date,
            amount=d.amount,
            paid=(ep.Paid(d.due_date, d.paid),) if d.paid else (),
        )
        for d in dues
    ]


def _store_allocation(payment: Payment, lines, value_date: date) -> None:
    Allocation.objects.bulk_create(
        Allocation(payment=payment, due_id=line.due_id, amount=line.amount, value_date=value_date)
        for line in lines
    )
    for line in lines:  # a payment touches a handful of dues
        Due.objects.filter(pk=line.due_id).update(paid=F("paid") + line.amount)


@transaction.atomic
def payment_record(
    *,
    actor,
    household: Household,
    data: PaymentInput,
    idempotency_key: str = "",
    refresh_on: date | None = None,
) -> Payment:
    """Record money paid by a household and allocate it (fees, then oldest dues).

    The same idempotency key with the same data returns the same payment; with
    other data it is a Conflict. What is not allocated stays as credit.
    `refresh_on`: also bring the household's statuses up to that date.
    """
    require(actor, Perm.PAYMENT_RECORD, on=household.section)
    mutual = household.mutual
    code = check_currency(data.currency, mutual)
    amount = parse_amount(data.amount, code)
    if data.method not in PaymentMethod.values or data.method == PaymentMethod.REVERSAL:
        raise PaymentInvalid(fields={"method": _("Unknown payment method.")})
    print_ = _fingerprint(
        household.pk, amount, code, data.method, data.value_date, data.reference, data.dues
    )
    if idempotency_key:
        known = Payment.objects.filter(
            _KEYED, mutual=mutual, idempotency_key=idempotency_key
        ).first()
        if known is not None:
            if known.fingerprint != print_:
                raise IdempotencyConflict()
            return known
    if (
        not Membership.objects.filter(household=household)
        .exclude(status__in=ENDED)
        .filter(left_on__isnull=True)
        .exists()
    ):
        raise MemberLeft(number=household.number)

    dues = _lock_open_dues(household.pk)
    try:
        allocation = ep.allocate_payment(
            amount=amount, open_dues=_engine_open(dues), chosen=data.dues
        )
    except ec.RuleError as exc:
        raise from_rule_error(exc) from None

    number = ""
    if data.method == PaymentMethod.COLLECTOR:
        number = _collector_number(actor, household, data)
    else:
        number = receipt_number(mutual, data.value_date.year)
    with acting_as(actor):
        payment = Payment.objects.create(
            mutual=mutual,
            section=household.section,
            household=household,
            method=data.method,
            amount=amount,
            currency=code,
            credit=allocation.credit,
            value_date=data.value_date,
            receipt_number=number,
            reference=data.reference,
            idempotency_key=idempotency_key,
            fingerprint=print_,
            recorded_by=actor if getattr(actor, "pk", None) else None,
            collector_id=data.collector_id,
        )
        _store_allocation(payment, allocation.lines, data.value_date)
    audit_record(
        actor=actor,
        action="payment.record",
        target=payment,
        organisation=household.section,
        data={"amount": str(amount), "method": data.method, "receipt": number},
    )
    if refresh_on is not None:
        from .status import status_refresh

        status_refresh(mutual=mutual, on=refresh_on, household_ids=[household.pk])
    return payment


def _collector_number(actor, household, data: PaymentInput) -> str:
    if data.collector_id is None or data.book_number is None:
        raise PaymentInvalid(
            fields={"book_number": _("Give the collector and the receipt number of the book.")}
        )
    book = ReceiptBook.objects.filter(
        collector_id=data.collector_id,
        section=household.section,
        first_number__lte=data.book_number,
        last_number__gte=data.book_number,
    ).first()
    if book is None:
        raise PaymentInvalid(
            fields={"book_number": _("This receipt number is not in a book of this collector.")}
        )
    number = f"RB-{book.pk}-{data.book_number}"
    if Payment.objects.filter(mutual=household.mutual, receipt_number=number).exists():
        raise PaymentInvalid(fields={"book_number": _("This receipt was already used.")})
    return number


@transaction.atomic
def payment_reverse(*, actor, payment: Payment, reason: str, on: date) -> Payment:
    """Undo a payment with a reason: a new negative payment, never a deletion."""
    require(actor, Perm.PAYMENT_RECORD, on=payment.section or payment.mutual)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if (
        payment.method == PaymentMethod.REVERSAL
        or Payment.objects.filter(reversal_of=payment).exists()
    ):
        raise AlreadyReversed()
    lines = tuple(
        ep.AllocationLine(a.due_id, a.amount) for a in payment.allocations.select_for_update().all()
    )
    try:
        reversal = ep.reverse_allocation(
            allocation=ep.Allocation(payment.amount, lines, payment.credit), reason=reason
        )
    except ec.RuleError as exc:
        raise from_rule_error(exc) from None
    with acting_as(actor):
        undo = Payment.objects.create(
            mutual=payment.mutual,
            section=payment.section,
            household=payment.household,
            payer=payment.payer,
            method=PaymentMethod.REVERSAL,
            amount=-payment.amount,
            currency=payment.currency,
            credit=reversal.credit,
            value_date=on,
            reversal_of=payment,
            reason=reversal.reason,
            reference=payment.receipt_number,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        _store_allocation(undo, reversal.lines, on)
    audit_record(
        actor=actor,
        action="payment.reverse",
        target=payment,
        organisation=payment.section or payment.mutual,
        data={"reason": reversal.reason, "amount": str(payment.amount)},
    )
    if payment.household_id:
        from .status import status_refresh

        status_refresh(mutual=payment.mutual, on=on, household_ids=[payment.household_id])
    return undo


@transaction.atomic
def subsidy_transfer(
    *, actor, payer: Payer, amount, value_date: date, reference: str = ""
) -> Payment:
    """A third party's transfer, allocated to its dues oldest first (set-based)."""
    mutual = payer.mutual
    require(actor, Perm.PAYMENT_RECORD, on=mutual)
    amount = parse_amount(amount, mutual.currency)
    dues = list(
        Due.objects.select_for_update()
        .filter(payer=payer, paid__lt=F("amount"))
        .order_by("due_date", "id")
        .values_list("id", "kind", "due_date", "amount", "paid")
    )
    open_dues = [
        ep.Due(id=i, kind=ec.DueKind(k), due_date=d, amount=a, paid=(ep.Paid(d, p),) if p else ())
        for i, k, d, a, p in dues
    ]
    allocation = ep.allocate_payment(amount=amount, open_dues=open_dues)
    with acting_as(actor):
        payment = Payment.objects.create(
            mutual=mutual,
            payer=payer,
            method=PaymentMethod.SUBSIDY,
            amount=amount,
            currency=mutual.currency,
            credit=allocation.credit,
            value_date=value_date,
            receipt_number=receipt_number(mutual, value_date.year),
            reference=reference,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
    Allocation.objects.bulk_create(
        (
            Allocation(
                payment=payment, due_id=line.due_id, amount=line.amount, value_date=value_date
            )
            for line in allocation.lines
        ),
        batch_size=5000,
    )
    _bulk_add_paid({line.due_id: line.amount for line in allocation.lines})
    audit_record(
        actor=actor,
        action="payment.subsidy",
        target=payment,
        organisation=mutual,
        data={"amount": str(amount), "payer": payer.code, "dues": len(allocation.lines)},
    )
    return payment


def _bulk_add_paid(amounts: dict[int, Decimal]) -> None:
    """due.paid += amount for many dues in a few statements (UPDATE … FROM on PostgreSQL)."""
    bulk_add(Due, "paid", amounts)


def bulk_add(model, column: str, amounts: dict[int, Decimal]) -> None:
    """row.column += amount for many rows in a few statements (UPDATE … FROM on PostgreSQL)."""
    from django.db import connection

    table = model._meta.db_table
    items = list(amounts.items())
    for start in range(0, len(items), 5000):
        chunk = items[start : start + 5000]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} d SET {column} = d.{column} + v.amount "  # noqa: S608
                    "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::numeric[]) AS amount) v "
                    "WHERE d.id = v.id",
                    [[pk for pk, _a in chunk], [a for _pk, a in chunk]],
                )
        else:
            by_amount: dict[Decimal, list[int]] = {}
            for pk, amount in chunk:
                by_amount.setdefault(amount, []).append(pk)
            for amount, ids in by_amount.items():
                model.objects.filter(pk__in=ids).update(**{column: F(column) + amount})


# --- Collectors ------------------------------------------------------------------


def _commission_rate(value) -> Decimal:
    try:
        rate = Decimal(str(value if value not in (None, "") else 0).replace(",", "."))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not Decimal(0) <= rate <= 1:
        raise ValidationFailed(
            fields={"commission_rate": _("A share is between 0 and 1 (0.05 for 5%).")}
        )
    return rate


@transaction.atomic
def receipt_book_issue(
    *,
    actor,
    section,
    collector,
    first_number: int,
    last_number: int,
    issued_on: date,
    commission_rate: Decimal = Decimal(0),
) -> ReceiptBook:
    """Give a numbered receipt book to a field collector, a user of the section."""
    from mutualis.core.models import OrgKind
    from mutualis.core.scope import has_perm

    require(actor, Perm.PAYMENT_RECORD, on=section)
    if section.kind != OrgKind.SECTION:
        raise ValidationFailed(fields={"section": _("Receipt books are issued by a section.")})
    if collector is None or not has_perm(collector, Perm.PAYMENT_RECORD, on=section):
        raise ValidationFailed(
            fields={"collector": _("The collector must be a user of this section.")}
        )
    if first_number is None or first_number < 1:
        raise ValidationFailed(fields={"first_number": _("Receipt numbers start at 1.")})
    if last_number is None or last_number < first_number:
        raise ValidationFailed(fields={"last_number": _("The last number is before the first.")})
    rate = _commission_rate(commission_rate)
    overlap = (
        ReceiptBook.objects.select_for_update()
        .filter(section=section, first_number__lte=last_number, last_number__gte=first_number)
        .exists()
    )
    if overlap:
        raise ValidationFailed(fields={"first_number": _("These numbers are in another book.")})
    book = ReceiptBook.objects.create(
        section=section,
        collector=collector,
        first_number=first_number,
        last_number=last_number,
        issued_on=issued_on,
        commission_rate=rate,
    )
    audit_record(
        actor=actor,
        action="receipt_book.issue",
        target=book,
        organisation=section,
        data={"collector": collector.pk, "first": first_number, "last": last_number},
    )
    return book


def field_payment_record(
    *, actor, household: Household, collector, book_number, amount, value_date: date, today: date
) -> Payment:
    """A payment taken in the field on receipt `book_number` of a book `collector` holds."""
    try:
        number = int(str(book_number).strip())
    except (TypeError, ValueError):
        raise PaymentInvalid(
            fields={"book_number": _("Type the number printed on the receipt.")}
        ) from None
    return payment_record(
        actor=actor,
        household=household,
        data=PaymentInput(
            amount=amount,
            value_date=value_date,
            method=PaymentMethod.COLLECTOR,
            collector_id=getattr(collector, "pk", None),
            book_number=number,
        ),
        refresh_on=today,
    )


@transaction.atomic
def cash_handover(*, actor, section, collector, counted, on: date) -> CashHandover:
    """The collector hands over cash: counted against the receipts not yet handed over.

    A clerk or accountant of the section confirms it, never the collector. Receipts
    reversed since are handed over too but not expected in cash.
    """
    require(actor, Perm.PAYMENT_RECORD, on=section)
    if getattr(actor, "pk", None) == getattr(collector, "pk", None):
        raise ValidationFailed(
            fields={"counted": _("Another user of the section must count and confirm the cash.")}
        )
    cur = currency(section.currency)
    try:
        counted = Decimal(str(counted).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        counted = None
    if counted is None or not counted.is_finite():
        raise ValidationFailed(fields={"counted": _("This is not a valid amount.")})
    if counted < 0:
        raise ValidationFailed(fields={"counted": _("An amount cannot be negative.")})
    if cur.quantize(counted) != counted:
        raise ValidationFailed(
            fields={
                "counted": _("{currency} has no smaller unit than {step}.").format(
                    currency=cur.code, step=cur.step
                )
            }
        )
    pending = Payment.objects.select_for_update().filter(
        section=section,
        collector=collector,
        method=PaymentMethod.COLLECTOR,
        handover__isnull=True,
    )
    pending_ids = list(pending.values_list("pk", flat=True))
    expected = Payment.objects.filter(pk__in=pending_ids, reversed_by__isnull=True).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    rate = ReceiptBook.objects.filter(section=section, collector=collector).order_by(
        "-issued_on", "-pk"
    ).values_list("commission_rate", flat=True).first() or Decimal(0)
    with acting_as(actor):
        handover = CashHandover.objects.create(
            section=section,
            collector=collector,
            expected=cur.quantize(Decimal(expected)),
            counted=counted,
            commission=cur.quantize(Decimal(expected) * rate),
            receipt_number=receipt_number(section.parent, on.year),
            handed_on=on,
            received_by=actor,
        )
        Payment.objects.filter(pk__in=pending_ids).update(handover=handover)
    audit_record(
        actor=actor,
        action="cash.handover",
        target=handover,
        organisation=section,
        data={
            "collector": collector.pk,
            "receipts": len(pending_ids),
            "expected": str(handover.expected),
            "counted": str(handover.counted),
        },
    )
    return handover


# --- Mobile money ----------------------------------------------------------------

MOMO_COLUMNS = ("reference", "date", "amount", "phone", "text")
# What each kind of statement needs: a bank or an employer file has no phone column.
REQUIRED_COLUMNS = {
    PaymentMethod.MOBILE_MONEY: MOMO_COLUMNS,
    PaymentMethod.BANK: ("reference", "date", "amount", "text"),
    PaymentMethod.EMPLOYER: ("reference", "date", "amount", "text"),
}


@dataclass(frozen=True)
class MomoResult:
    statement: MobileMoneyImport
    allocated: int
    unmatched: int
    duplicates: int


def _parse_momo(content: bytes, cur_code: str, method=PaymentMethod.MOBILE_MONEY) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementInvalid(_("The file is not UTF-8 text (CSV).")) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    required = REQUIRED_COLUMNS[method]
    missing = [c for c in required if c not in header]
    if missing:
        raise StatementInvalid(
            _("The file lacks the columns {missing}; expected: {expected}.").format(
                missing=", ".join(missing), expected=", ".join(required)
            ),
            fields={"file": _("Wrong columns.")},
        )
    rows = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        row.setdefault("phone", "")
        ref = row["reference"]
        if not ref:
            raise StatementInvalid(
                _("Line {line}: the operator reference is empty. Nothing was imported.").format(
                    line=index
                )
            )
        if ref in seen:
            raise DuplicateReference(reference=ref, first=seen[ref], second=index)
        seen[ref] = index
        try:
            value_date = date.fromisoformat(row["date"][:10])
        except ValueError:
            raise StatementInvalid(
                _(
                    "Line {line}: “{value}” is not a date (YYYY-MM-DD). Nothing was imported."
                ).format(line=index, value=row["date"])
            ) from None
        try:
            amount = parse_amount(row["amount"], cur_code)
        except PaymentInvalid:
            raise StatementInvalid(
                _("Line {line}: “{value}” is not a positive amount. Nothing was imported.").format(
                    line=index, value=row["amount"]
                )
            ) from None
        rows.append(
            {
                "line_no": index,
                "reference": ref,
                "value_date": value_date,
                "amount": amount,
                "phone": row["phone"],
                "text": row["text"][:255],
            }
        )
    return rows


def momo_import(
    *,
    actor,
    mutual,
    operator: str,
    file_name: str,
    content: bytes,
    on=None,
    progress=None,
    method: str = PaymentMethod.MOBILE_MONEY,
):
    """Import an operator statement: validate every line first, then allocate set-based.

    A line is allocated automatically only when its reference text holds a
    beneficiary (card) number or household number of the mutual; a phone match
    is only a suggestion (phones are shared). Lines already imported (same
    operator reference) are skipped: importing twice changes nothing.
    """
    from .bulk_payments import momo_allocate

    require(actor, Perm.PAYMENT_RECORD, on=mutual)
    operator = operator.strip() or "operator"
    if method not in REQUIRED_COLUMNS:
        raise PaymentInvalid(fields={"method": _("Unknown payment method.")})
    rows = _parse_momo(content, mutual.currency, PaymentMethod(method))
    return momo_allocate(
        actor=actor,
        mutual=mutual,
        operator=operator,
        file_name=file_name,
        sha=hashlib.sha256(content).hexdigest(),
        rows=rows,
        progress=progress,
        on=on,
        method=PaymentMethod(method),
    )


@transaction.atomic
def momo_line_match(*, actor, line: MobileMoneyLine, household: Household, on: date) -> Payment:
    """A clerk matches an unmatched line to a household: the payment is recorded then."""
    require(actor, Perm.PAYMENT_RECORD, on=household.section)
    line = MobileMoneyLine.objects.select_for_update().select_related("statement").get(pk=line.pk)
    if line.status != ImportStatus.UNMATCHED or household.mutual_id != line.mutual_id:
        raise ValidationFailed(fields={"household": _("This line is already matched.")})
    payment = payment_record(
        actor=actor,
        household=household,
        data=PaymentInput(
            amount=line.amount,
            value_date=line.value_date,
            method=line.statement.method,
            reference=line.operator_reference,
        ),
        idempotency_key=f"momo:{line.operator}:{line.operator_reference}",
        refresh_on=on,
    )
    MobileMoneyLine.objects.filter(pk=line.pk).update(
        status=ImportStatus.MATCHED, household=household, payment=payment
    )
    MobileMoneyImport.objects.filter(pk=line.statement_id).update(unmatched=F("unmatched") - 1)
    return payment

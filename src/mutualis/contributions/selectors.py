"""Reads of the contributions app, always scoped to the asking user.

`household_standing` / `household_standings` are the one answer to "is this
household in good standing (dues paid to date, within grace) on date D?", used
by eligibility and by governance (voting rights). They answer from dues and
payments value-dated by D (`engine.standing.standing_on`). A household that has
never had any dues (a mutual not billing through Mutualis) falls back to its
recorded membership status (active = in good standing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.roles import Perm
from mutualis.core.scope import in_scope, require
from mutualis.engine import standing as es


@dataclass(frozen=True)
class Standing:
    in_good_standing: bool
    paid_until: date | None = None
    arrears_since: date | None = None
    grace_until: date | None = None
    reason: str = ""  # "arrears", or "not_member" when no dues and no active membership
    overdue: Decimal = Decimal(0)


def household_standing(*, household, on: date) -> Standing:
    return household_standings(household_ids=[household.pk], on=on)[household.pk]


def household_standings(*, household_ids, on: date) -> dict[int, Standing]:
    """Standing of many households at `on`: dues and payments in two queries.

    (Plus one small query for the statutes of the schedules involved, and one for
    membership statuses of households without any dues.)
    """
    from mutualis.members.models import Membership, MembershipStatus

    from .mapping import engine_dues, statute_options
    from .models import Due, Schedule

    ids = list(household_ids)
    dues = engine_dues(ids, on=on)
    schedule_of = dict(
        Due.objects.filter(household_id__in=ids, payer__isnull=True)
        .order_by("household_id", "schedule_id")
        .values_list("household_id", "schedule_id")
        .distinct()
    )
    options = {
        s.pk: statute_options(s) for s in Schedule.objects.filter(pk__in=set(schedule_of.values()))
    }
    default = es.StatuteOptions()
    out: dict[int, Standing] = {}
    missing = [hh for hh in ids if hh not in dues]
    active = set()
    if missing:
        active = set(
            Membership.objects.filter(
                household_id__in=missing, status=MembershipStatus.ACTIVE, joined_on__lte=on
            ).values_list("household_id", flat=True)
        )
    for hh in ids:
        out[hh] = standing_from(
            dues.get(hh), options.get(schedule_of.get(hh), default), active=hh in active, on=on
        )
    return out


def standing_from(dues, options: es.StatuteOptions, *, active: bool, on: date) -> Standing:
    """A household's `Standing` at `on` from its engine dues (payments value-dated by
    `on`) and its statutes; without any dues, in good standing while one of its
    members is active. The one step every reader of standings shares (this module,
    the eligibility fast path, the batch adjudication)."""
    if dues is None:
        return Standing(in_good_standing=active, reason="" if active else "not_member")
    result = es.standing_on(dues=dues, on=on, options=options)
    grace_until = (
        result.arrears_since + timedelta(days=options.grace_days) if result.arrears_since else None
    )
    return Standing(
        in_good_standing=result.good,
        paid_until=result.paid_up_to,
        arrears_since=result.arrears_since,
        grace_until=grace_until,
        reason="" if result.good else "arrears",
        overdue=result.overdue,
    )


# --- Scoped lists ------------------------------------------------------------------


def household_list(*, user) -> QuerySet:
    from mutualis.members.models import Household

    require(user, Perm.PAYMENT_VIEW)
    return Household.objects.filter(in_scope(user, "section", Perm.PAYMENT_VIEW)).select_related(
        "section", "mutual", "head"
    )


def household_get(*, user, household_id) -> object:
    from mutualis.members.models import Household

    try:
        return household_list(user=user).get(pk=household_id)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def household_find(*, user, number: str):
    """A household by its number or by a beneficiary (card) number, in scope."""
    from mutualis.members.models import Membership

    number = (number or "").strip()
    if not number:
        return None
    qs = household_list(user=user)
    found = qs.filter(number__iexact=number).first()
    if found is None:
        hh = Membership.objects.filter(number__iexact=number).values_list("household_id", flat=True)
        found = qs.filter(pk__in=hh).first()
    return found


def payment_list(*, user) -> QuerySet:
    from .models import Payment

    require(user, Perm.PAYMENT_VIEW)
    return Payment.objects.filter(in_scope(user, "section", Perm.PAYMENT_VIEW)).select_related(
        "household", "section", "mutual", "recorded_by"
    )


def payment_get(*, user, payment_id):
    from .models import Payment

    try:
        return payment_list(user=user).get(pk=payment_id)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def mutual_list(*, user, perm: Perm) -> list:
    """Mutuals where the user holds `perm` over the whole mutual."""
    from mutualis.core.models import Organisation, OrgKind
    from mutualis.core.scope import has_perm, org_scope_q

    mutuals = Organisation.objects.filter(org_scope_q(user), kind=OrgKind.MUTUAL).order_by("name")
    return [m for m in mutuals if has_perm(user, perm, on=m)]


def schedule_list(*, user, mutual) -> QuerySet:
    from .models import Schedule

    require(user, Perm.PACKAGE_VIEW, on=mutual)
    return Schedule.objects.filter(mutual=mutual).prefetch_related("rates", "subsidies__payer")


def schedule_get(*, user, schedule_id):
    from .models import Schedule

    try:
        schedule = Schedule.objects.select_related("mutual").get(pk=schedule_id)
    except (Schedule.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    require(user, Perm.PACKAGE_VIEW, on=schedule.mutual)
    return schedule


def household_account(*, household, on: date) -> dict:
    """What the counter and the statement show: dues, payments, balance, cover, history."""
    from mutualis.members.models import CoveragePeriod, MembershipStatusChange

    from .models import Allocation, CoverageChange, Due, Payment

    dues = list(
        Due.objects.filter(household=household)
        .select_related("payer", "schedule")
        .order_by("due_date", "id")
    )
    payments = list(
        Payment.objects.filter(household=household)
        .select_related("recorded_by")
        .order_by("value_date", "id")
    )
    member_dues = [d for d in dues if d.payer_id is None]
    owed = sum((d.amount for d in member_dues), Decimal(0))
    paid = sum((d.paid for d in member_dues), Decimal(0))
    credit = sum((p.credit for p in payments), Decimal(0))
    credit_uses = list(
        Allocation.objects.filter(payment__household=household, from_credit=True)
        .select_related("due", "payment")
        .order_by("value_date", "id")
    )
    open_dues = [d for d in member_dues if d.paid < d.amount]
    arrears = sum((d.outstanding for d in open_dues if d.due_date <= on), Decimal(0))
    history = list(
        MembershipStatusChange.objects.filter(membership__household=household)
        .select_related("membership__person")
        .order_by("-effective_on", "-id")[:50]
    )
    cover_history = list(
        CoverageChange.objects.filter(household=household).order_by("-effective_on", "-id")[:50]
    )
    periods = list(
        CoveragePeriod.objects.filter(household=household)
        .select_related("package")
        .order_by("start_on")
    )
    from mutualis.members.models import CoverageStatus

    from .models import REASON_LABELS

    for change in cover_history:
        change.reason_label = REASON_LABELS.get(change.reason, change.reason)
        change.status_label = dict(CoverageStatus.choices).get(change.status, change.status)
    by_payer: dict[str, Decimal] = defaultdict(Decimal)
    for d in dues:
        if d.payer_id:
            by_payer[d.payer.name] += d.amount
    return {
        "dues": dues,
        "member_dues": member_dues,
        "open_dues": open_dues,
        "payments": payments,
        "owed": owed,
        "paid": paid,
        "balance": owed - paid,
        "credit": credit,
        "credit_uses": credit_uses,
        "arrears": arrears,
        "history": history,
        "cover_history": cover_history,
        "periods": periods,
        "subsidised": dict(by_payer),
        "standing": household_standing(household=household, on=on),
    }


def payer_statement(*, payer, period_start: date | None = None, period_end: date | None = None):
    """A third party's claimable statement: its dues per household, paid and due."""
    from django.db.models import Count, Sum

    from .models import Due

    qs = Due.objects.filter(payer=payer)
    if period_start:
        qs = qs.filter(period_start__gte=period_start)
    if period_end:
        qs = qs.filter(period_start__lte=period_end)
    totals = qs.aggregate(amount=Sum("amount"), paid=Sum("paid"), n=Count("id"))
    by_period = list(
        qs.values("period_start", "period_end", "kind")
        .annotate(amount=Sum("amount"), paid=Sum("paid"), households=Count("household_id"))
        .order_by("period_start", "kind")
    )
    cur = payer.mutual.money
    for row in by_period:
        row["amount"] = cur.quantize(Decimal(row["amount"] or 0))
        row["paid"] = cur.quantize(Decimal(row["paid"] or 0))
        row["claimable"] = row["amount"] - row["paid"]
    amount = cur.quantize(Decimal(totals["amount"] or 0))
    paid_total = cur.quantize(Decimal(totals["paid"] or 0))
    return {
        "payer": payer,
        "rows": by_period,
        "amount": amount,
        "paid": paid_total,
        "claimable": amount - paid_total,
        "count": totals["n"],
        "lines": qs.select_related("household").order_by("period_start", "household__number"),
    }


# --- Field collectors ------------------------------------------------------------------


def section_list(*, user, perm: Perm) -> list:
    """Sections where the user holds `perm`."""
    from mutualis.core.models import Organisation, OrgKind
    from mutualis.core.scope import has_perm, org_scope_q

    sections = Organisation.objects.filter(org_scope_q(user), kind=OrgKind.SECTION).order_by("name")
    return [s for s in sections.select_related("parent") if has_perm(user, perm, on=s)]


def section_collectors(*, section) -> QuerySet:
    """Users of the section who may take payments: the possible field collectors."""
    from mutualis.core.models import User
    from mutualis.core.roles import ROLE_PERMS

    roles = [role for role, perms in ROLE_PERMS.items() if Perm.PAYMENT_RECORD in perms]
    return (
        User.objects.filter(
            assignments__organisation=section, assignments__role__in=roles, is_active=True
        )
        .distinct()
        .order_by("first_name", "username")
    )


def receipt_books(*, section) -> list:
    """The section's receipt books, each with `used` numbers and `remaining`."""
    import re

    from .models import Payment, ReceiptBook

    books = list(
        ReceiptBook.objects.filter(section=section)
        .select_related("collector")
        .order_by("-issued_on", "-pk")
    )
    used: dict[int, int] = defaultdict(int)
    pattern = re.compile(r"^RB-(\d+)-\d+$")
    numbers = Payment.objects.filter(
        section=section, method="collector", receipt_number__startswith="RB-"
    ).values_list("receipt_number", flat=True)
    for number in numbers.iterator():
        match = pattern.match(number)
        if match:
            used[int(match.group(1))] += 1
    for book in books:
        book.size = book.last_number - book.first_number + 1
        book.used = used.get(book.pk, 0)
        book.remaining = book.size - book.used
    return books


def collector_pending(*, section) -> list[dict]:
    """Per collector of the section: receipts not yet handed over and the cash expected."""
    from django.db.models import Count, Max, Q, Sum

    from mutualis.core.models import User

    from .models import CashHandover, Payment, ReceiptBook

    holders = set(ReceiptBook.objects.filter(section=section).values_list("collector", flat=True))
    pending = {
        row["collector"]: row
        for row in Payment.objects.filter(
            section=section, method="collector", handover__isnull=True
        )
        .values("collector")
        .annotate(
            receipts=Count("id"),
            expected=Sum("amount", filter=Q(reversed_by__isnull=True)),
        )
    }
    last = dict(
        CashHandover.objects.filter(section=section)
        .values("collector")
        .annotate(last=Max("handed_on"))
        .values_list("collector", "last")
    )
    cur = section.money
    rows = []
    for user in User.objects.filter(pk__in=holders | set(pending)).order_by("first_name"):
        row = pending.get(user.pk, {})
        rows.append(
            {
                "collector": user,
                "receipts": row.get("receipts", 0),
                "expected": cur.quantize(Decimal(row.get("expected") or 0)),
                "last_handover": last.get(user.pk),
            }
        )
    return rows


def handover_list(*, section) -> QuerySet:
    from .models import CashHandover

    return (
        CashHandover.objects.filter(section=section)
        .select_related("collector", "received_by")
        .order_by("-handed_on", "-pk")
    )


def handover_get(*, user, handover_id):
    from .models import CashHandover

    try:
        handover = CashHandover.objects.select_related(
            "section__parent", "collector", "received_by"
        ).get(pk=handover_id)
    except (CashHandover.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    require(user, Perm.PAYMENT_VIEW, on=handover.section)
    return handover

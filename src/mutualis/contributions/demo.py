"""Demo contributions (runs after the members demo): a Senegal CMU-style schedule.

7,000 XOF per beneficiary per year, half paid by the State (the member pays 3,500),
indigents wholly paid by the State; a 1,000 XOF registration fee and a 500 XOF GA
fee. Dues for 2026; most households paid by mobile money (set-based import, with a
few lines left to match), some cash at the counter, some in arrears; the State paid
part of its share; then the daily run brings statuses up to today. Bulk throughout.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from mutualis.members.models import ENDED, Household, Membership

from . import services
from .bulk_payments import momo_allocate
from .dues import dues_generate
from .models import Due, PayerKind, ScheduleKind
from .services import PaymentInput
from .status import daily_run, mutual_today

D = Decimal


def load(ctx) -> None:
    mutual = ctx.mutual
    actor = ctx.users["gerant"]
    clerks = {
        c.pk: ctx.users.get(name)
        for name, c in zip(("guichet1", "guichet2", "guichet3"), ctx.sections, strict=False)
    }
    rng = random.Random(ctx.seed)
    schedule = services.schedule_save(
        actor=actor,
        mutual=mutual,
        data={
            "name": "Cotisation CMU 2026",
            "kind": ScheduleKind.PER_BENEFICIARY_CAPPED,
            "period": "yearly",
            "amount": D(7000),
            "household_cap": D(70000),
            "registration_fee": D(1000),
            "membership_fee": D(500),
            "pro_rata": "by_month",
            "grace_days": 60,
            "strike_off_months": 12,
        },
    )
    state = services.payer_create(
        actor=actor,
        mutual=mutual,
        code="ETAT-SN",
        name="État du Sénégal (CMU)",
        kind=PayerKind.STATE,
    )
    services.subsidy_add(
        actor=actor, schedule=schedule, payer=state, share=D(1), category="indigent", fees=True
    )
    services.subsidy_add(actor=actor, schedule=schedule, payer=state, share=D("0.5"))
    ctx.extra["schedule"] = schedule

    households = list(
        Household.objects.filter(mutual=mutual)
        .order_by("pk")
        .values_list("pk", "number", "section_id")
    )
    if not households:
        return
    dues_generate(actor=actor, mutual=mutual, period="2026")

    # 75% pay by mobile money (their card or household number in the text), 10% cash,
    # the rest owe: arrears for the daily run to suspend.
    phones = dict(
        Membership.objects.filter(mutual=mutual, is_adherent=True)
        .exclude(person__phone="")
        .values_list("household_id", "person__phone")
    )
    owed = dict(
        Household.objects.filter(mutual=mutual)
        .annotate(s=Sum("dues__amount", filter=Q(dues__payer__isnull=True)))
        .values_list("pk", "s")
    )
    # Households whose members have all left can no longer pay at the counter.
    open_households = set(
        Membership.objects.filter(mutual=mutual, left_on__isnull=True)
        .exclude(status__in=ENDED)
        .values_list("household_id", flat=True)
    )
    rows, cash = [], []
    for index, (pk, number, section_id) in enumerate(households):
        amount = owed.get(pk) or D(0)
        luck = rng.random()
        paid_on = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 80))
        if amount <= 0:
            continue
        if luck < 0.75:
            rows.append(
                {
                    "line_no": index + 2,
                    "reference": f"OM26{index:06d}",
                    "value_date": paid_on,
                    "amount": amount,
                    "phone": phones.get(pk, ""),
                    "text": f"Cotisation {number}",
                }
            )
        elif luck < 0.85 and pk in open_households:
            cash.append((pk, section_id, amount, paid_on))
    for extra in range(8):  # lines without a number: a clerk matches them by hand
        rows.append(
            {
                "line_no": len(households) + extra + 2,
                "reference": f"OM26X{extra:04d}",
                "value_date": date(2026, 3, 2),
                "amount": D(3500),
                "phone": next(iter(phones.values()), ""),
                "text": "cotisation mutuelle",
            }
        )
    momo_allocate(
        actor=actor,
        mutual=mutual,
        operator="Orange Money",
        file_name="orange-money-2026-T1.csv",
        sha="demo",
        rows=rows,
    )
    # The first section's clerk also collects in the field with a receipt book.
    first = ctx.sections[0]
    collector = clerks.get(first.pk)
    book = None
    if collector is not None:
        book = services.receipt_book_issue(
            actor=actor,
            section=first,
            collector=collector,
            first_number=1,
            last_number=100,
            issued_on=date(2026, 1, 2),
            commission_rate=D("0.05"),
        )
    field, collected = 0, D(0)
    for pk, section_id, amount, paid_on in sorted(cash, key=lambda row: row[3]):
        household = Household.objects.select_related("mutual", "section").get(pk=pk)
        if book is not None and section_id == first.pk and field < 7:
            field += 1
            collected += amount
            services.field_payment_record(
                actor=collector,
                household=household,
                collector=collector,
                book_number=field,
                amount=amount,
                value_date=paid_on,
                today=paid_on,
            )
            if field == 5:  # five receipts handed over, two still with the collector
                services.cash_handover(
                    actor=actor, section=first, collector=collector, counted=collected, on=paid_on
                )
            continue
        services.payment_record(
            actor=clerks.get(section_id) or actor,
            household=household,
            data=PaymentInput(amount=amount, value_date=paid_on),
        )
    # The State paid most of its share for the first quarter.
    state_total = sum(Due.objects.filter(payer=state).values_list("amount", flat=True), D(0))
    if state_total:
        services.subsidy_transfer(
            actor=actor,
            payer=state,
            amount=mutual.money.quantize(state_total * D("0.6")),
            value_date=date(2026, 4, 15),
            reference="Trésor public — virement T1",
        )
    daily_run(actor=actor, mutual=mutual, on=mutual_today(mutual))

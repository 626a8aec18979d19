"""Contributions endpoints: record a payment (idempotent), a household's statement, schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Header, Router, Schema

from . import selectors, services
from .services import PaymentInput
from .status import mutual_today

router = Router(tags=["contributions"])


class PaymentIn(Schema):
    household_id: int
    amount: Decimal
    value_date: date
    method: str = "cash"
    currency: str | None = None
    reference: str = ""
    dues: list[int] | None = None


class AllocationOut(Schema):
    due_id: int
    amount: Decimal


class PaymentOut(Schema):
    id: int
    household_id: int | None
    receipt_number: str
    amount: Decimal
    currency: str
    method: str
    value_date: date
    credit: Decimal
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj):
        return list(obj.allocations.values("due_id", "amount"))


class DueOut(Schema):
    id: int
    kind: str
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal
    paid: Decimal
    payer_id: int | None


class StandingOut(Schema):
    in_good_standing: bool
    paid_until: date | None
    arrears_since: date | None
    grace_until: date | None
    reason: str


class StatementOut(Schema):
    household_id: int
    number: str
    currency: str
    on: date
    standing: StandingOut
    owed: Decimal
    paid: Decimal
    balance: Decimal
    arrears: Decimal
    credit: Decimal
    dues: list[DueOut]
    payments: list[PaymentOut]


@router.post("/payments", response={201: PaymentOut, 200: PaymentOut}, summary="Record a payment")
def record_payment(request, payload: PaymentIn, idempotency_key: str = Header("")):
    """Allocated to fees, then the oldest dues, unless `dues` names them. The same
    `Idempotency-Key` with the same body returns the same payment (200); with another
    body it is a 409."""
    household = selectors.household_get(user=request.auth, household_id=payload.household_id)
    known = (
        bool(idempotency_key)
        and household.payments.filter(idempotency_key=idempotency_key).exists()
    )
    payment = services.payment_record(
        actor=request.auth,
        household=household,
        data=PaymentInput(
            amount=payload.amount,
            value_date=payload.value_date,
            method=payload.method,
            currency=payload.currency,
            reference=payload.reference,
            dues=tuple(payload.dues) if payload.dues else None,
        ),
        idempotency_key=idempotency_key,
        refresh_on=mutual_today(household.mutual),
    )
    return (200 if known else 201), payment


@router.get("/households/{household_id}/statement", response=StatementOut)
def household_statement(request, household_id: int, on: date | None = None):
    household = selectors.household_get(user=request.auth, household_id=household_id)
    on = on or mutual_today(household.mutual)
    account = selectors.household_account(household=household, on=on)
    return {
        "household_id": household.pk,
        "number": household.number,
        "currency": household.mutual.currency,
        "on": on,
        "standing": account["standing"].__dict__,
        **{k: account[k] for k in ("owed", "paid", "balance", "arrears", "credit")},
        "dues": account["dues"],
        "payments": account["payments"],
    }

"""Allocation of payments to open dues, and their reversal (DOMAIN §5, §8).

This module owns:

- ``Due``: a stored due (what one payer owes for one kind and period) with the
  amounts already allocated to it, each with its value date. ``standing`` reads
  the same dues to decide cover.
- ``allocate_payment``: a payment settles the registration fee first, then the
  membership / GA fee, then contributions oldest first (due date, then id),
  unless the payer chose the dues to settle. A partial payment settles what it
  can; what is left over is a credit (DOMAIN §5).
- ``reverse_allocation``: a wrong allocation is undone by a reversal carrying a
  reason, with the lines negated; nothing is ever deleted (DOMAIN §8).

Amounts are ``Decimal`` already rounded to the currency; allocation only adds
and subtracts, so it never rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from mutualis.engine.contributions import DUE_KIND_ORDER, MEMBER, ZERO, DueKind, Id, RuleError


class PaymentError(RuleError):
    code = "payment_invalid"


class PaymentNotPositive(PaymentError):
    code = "payment_amount_not_positive"


class PaymentInvalidAmount(PaymentError):
    """Not a Decimal (floats are not money)."""

    code = "payment_invalid_amount"


class UnknownDue(PaymentError):
    code = "payment_unknown_due"


class DueAlreadyPaid(PaymentError):
    code = "payment_due_already_paid"


class ReversalReasonRequired(PaymentError):
    code = "payment_reversal_reason_required"


@dataclass(frozen=True, slots=True)
class Paid:
    """An amount allocated to a due, effective from the payment's value date.

    A reversal is a negative amount, with the reversal's value date.
    """

    value_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Due:
    """What one payer owes: a fee, or a contribution for ``period_start``..``period_end``.

    ``payer`` is ``MEMBER`` (the household) or a subsidy's payer id.
    ``coverage_period_id`` ties a contribution to the coverage period it pays for;
    None means it pays for whichever coverage period its dates fall in.
    """

    id: Id
    kind: DueKind
    due_date: date
    amount: Decimal
    paid: tuple[Paid, ...] = ()
    period_start: date | None = None
    period_end: date | None = None
    coverage_period_id: Id | None = None
    payer: str = MEMBER

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.paid), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid_total, ZERO)

    def paid_on(self, day: date) -> Decimal:
        """Allocated with a value date on or before ``day``."""
        return sum((p.amount for p in self.paid if p.value_date <= day), ZERO)


@dataclass(frozen=True, slots=True)
class AllocationLine:
    due_id: Id
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """How a payment of ``amount`` splits: ``lines`` to dues, the rest as ``credit``."""

    amount: Decimal
    lines: tuple[AllocationLine, ...]
    credit: Decimal

    @property
    def allocated(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class Reversal:
    """The undoing of an allocation: the same lines negated, and why."""

    reason: str
    lines: tuple[AllocationLine, ...]
    credit: Decimal


def settlement_order(dues: Iterable[Due]) -> list[Due]:
    """Registration fee, then membership fee, then the oldest due (due date, then id)."""
    return sorted(dues, key=lambda d: (DUE_KIND_ORDER[DueKind(d.kind)], d.due_date, d.id))


def allocate_payment(
    *, amount: Decimal, open_dues: Sequence[Due], chosen: Sequence[Id] | None = None
) -> Allocation:
    """Allocate a payment to ``open_dues`` (all of one payer).

    Without ``chosen``: in ``settlement_order``. With ``chosen``: only those dues,
    in the order given. Whatever is not allocated is a credit.
    Raises ``PaymentNotPositive`` for zero or less, ``UnknownDue`` or
    ``DueAlreadyPaid`` for a chosen due that is not open.
    """
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise PaymentInvalidAmount(amount=amount)
    if not Decimal(amount).is_finite():
        raise PaymentInvalidAmount(amount=amount)
    if amount <= 0:
        raise PaymentNotPositive(amount=amount)

    if chosen is None:
        targets = settlement_order(open_dues)
    else:
        by_id = {due.id: due for due in open_dues}
        targets = []
        for due_id in dict.fromkeys(chosen):
            if due_id not in by_id:
                raise UnknownDue(due_id=due_id)
            if by_id[due_id].outstanding <= 0:
                raise DueAlreadyPaid(due_id=due_id)
            targets.append(by_id[due_id])

    left = Decimal(amount)
    lines = []
    for due in targets:
        if left <= 0:
            break
        part = min(due.outstanding, left)
        if part > 0:
            lines.append(AllocationLine(due.id, part))
            left -= part
    return Allocation(amount=Decimal(amount), lines=tuple(lines), credit=left)


def reverse_allocation(*, allocation: Allocation, reason: str) -> Reversal:
    """The reversal of ``allocation``: negated lines and credit, with a reason."""
    if not reason or not reason.strip():
        raise ReversalReasonRequired()
    lines = tuple(AllocationLine(line.due_id, -line.amount) for line in allocation.lines)
    return Reversal(reason=reason.strip(), lines=lines, credit=-allocation.credit)


def apply_allocation(
    *, dues: Sequence[Due], lines: Iterable[AllocationLine], value_date: date
) -> tuple[Due, ...]:
    """``dues`` with ``lines`` (of an allocation or a reversal) recorded on them."""
    extra: dict[Id, list[Paid]] = {}
    for line in lines:
        extra.setdefault(line.due_id, []).append(Paid(value_date, line.amount))
    unknown = extra.keys() - {due.id for due in dues}
    if unknown:
        raise UnknownDue(due_id=min(unknown, key=str))
    return tuple(
        replace(due, paid=due.paid + tuple(extra[due.id])) if due.id in extra else due
        for due in dues
    )

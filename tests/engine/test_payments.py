"""Allocation of payments to dues, and reversals (DOMAIN §5, §8)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.contributions import DueKind
from mutualis.engine.payments import (
    AllocationLine,
    Due,
    DueAlreadyPaid,
    Paid,
    PaymentInvalidAmount,
    PaymentNotPositive,
    ReversalReasonRequired,
    UnknownDue,
    allocate_payment,
    apply_allocation,
    reverse_allocation,
)

D = Decimal
PAID_ON = date(2026, 3, 10)


def contribution(id, month, amount=1000, paid=()):
    return Due(id, DueKind.CONTRIBUTION, date(2026, month, 5), D(amount), paid=paid)


DUES = (
    contribution(3, 2),
    contribution(2, 1),
    contribution(1, 2),
    Due(9, DueKind.MEMBERSHIP_FEE, date(2026, 1, 1), D(300)),
    Due(8, DueKind.REGISTRATION_FEE, date(2026, 1, 1), D(500)),
)


def split(allocation):
    return [(line.due_id, line.amount) for line in allocation.lines]


def test_fees_first_then_the_oldest_contribution_by_due_date_then_id():
    allocation = allocate_payment(amount=D(3800), open_dues=DUES)

    assert split(allocation) == [(8, D(500)), (9, D(300)), (2, D(1000)), (1, D(1000)), (3, D(1000))]
    assert allocation.credit == D(0)


def test_a_partial_payment_settles_what_it_can_in_order():
    allocation = allocate_payment(amount=D(1300), open_dues=DUES)

    assert split(allocation) == [(8, D(500)), (9, D(300)), (2, D(500))]
    assert allocation.credit == D(0)


def test_overpayment_becomes_credit():
    allocation = allocate_payment(amount=D(5000), open_dues=DUES)

    assert allocation.allocated == D(3800)
    assert allocation.credit == D(1200)


def test_partly_paid_dues_get_only_what_they_still_lack():
    dues = (contribution(1, 1, paid=(Paid(date(2026, 1, 3), D(600)),)), contribution(2, 2))

    allocation = allocate_payment(amount=D(1000), open_dues=dues)

    assert split(allocation) == [(1, D(400)), (2, D(600))]


def test_chosen_dues_are_settled_in_the_order_chosen_and_the_rest_is_credit():
    allocation = allocate_payment(amount=D(1500), open_dues=DUES, chosen=[3, 1])

    assert split(allocation) == [(3, D(1000)), (1, D(500))]
    assert allocation.credit == D(0)
    assert allocate_payment(amount=D(1500), open_dues=DUES, chosen=[3]).credit == D(500)


def test_choosing_an_unknown_or_settled_due_is_refused():
    settled = contribution(4, 1, paid=(Paid(date(2026, 1, 3), D(1000)),))

    with pytest.raises(UnknownDue) as unknown:
        allocate_payment(amount=D(100), open_dues=DUES, chosen=[77])
    with pytest.raises(DueAlreadyPaid) as paid:
        allocate_payment(amount=D(100), open_dues=(*DUES, settled), chosen=[4])

    assert unknown.value.params == {"due_id": 77}
    assert paid.value.code == "payment_due_already_paid"


@pytest.mark.parametrize("amount", [D(0), D(-100)])
def test_zero_or_negative_payments_are_refused(amount):
    with pytest.raises(PaymentNotPositive) as err:
        allocate_payment(amount=amount, open_dues=DUES)

    assert err.value.code == "payment_amount_not_positive"
    assert err.value.params == {"amount": amount}


def test_float_payments_are_refused():
    with pytest.raises(PaymentInvalidAmount):
        allocate_payment(amount=100.0, open_dues=DUES)


def test_no_open_dues_means_all_credit():
    allocation = allocate_payment(amount=D(700), open_dues=())

    assert allocation.lines == ()
    assert allocation.credit == D(700)


def test_a_reversal_negates_the_lines_and_keeps_the_reason():
    allocation = allocate_payment(amount=D(2000), open_dues=DUES)

    reversal = reverse_allocation(allocation=allocation, reason=" bounced cheque ")

    assert reversal.reason == "bounced cheque"
    assert [(line.due_id, line.amount) for line in reversal.lines] == [
        (8, D(-500)),
        (9, D(-300)),
        (2, D(-1000)),
        (1, D(-200)),
    ]
    assert reversal.credit == D(0)


def test_a_reversal_needs_a_reason():
    allocation = allocate_payment(amount=D(100), open_dues=DUES)

    with pytest.raises(ReversalReasonRequired):
        reverse_allocation(allocation=allocation, reason="  ")


def test_applying_then_reversing_restores_what_was_owed_and_keeps_history():
    allocation = allocate_payment(amount=D(2000), open_dues=DUES)
    paid = apply_allocation(dues=DUES, lines=allocation.lines, value_date=PAID_ON)

    reversal = reverse_allocation(allocation=allocation, reason="wrong household")
    undone = apply_allocation(dues=paid, lines=reversal.lines, value_date=date(2026, 3, 12))

    assert [d.outstanding for d in undone] == [d.outstanding for d in DUES]
    assert len(undone[4].paid) == 2  # the payment and its reversal, both kept
    assert undone[4].paid_on(date(2026, 3, 11)) == D(500)


def test_applying_lines_for_an_unknown_due_is_refused():
    with pytest.raises(UnknownDue):
        apply_allocation(dues=DUES, lines=[AllocationLine(99, D(1))], value_date=PAID_ON)


# --------------------------------------------------------------------------- properties

kinds = st.sampled_from(list(DueKind))


@st.composite
def open_dues(draw):
    n = draw(st.integers(0, 8))
    dues = []
    for i in range(n):
        amount = draw(st.integers(1, 5000))
        already = draw(st.integers(0, amount))
        dues.append(
            Due(
                id=i,
                kind=draw(kinds),
                due_date=draw(st.dates(date(2025, 1, 1), date(2027, 1, 1))),
                amount=D(amount),
                paid=(Paid(date(2025, 1, 1), D(already)),) if already else (),
            )
        )
    return tuple(dues)


amounts = st.integers(1, 30000).map(D)


@settings(max_examples=300)
@given(dues=open_dues(), amount=amounts, choose=st.booleans(), data=st.data())
def test_allocation_never_exceeds_the_payment_and_the_rest_is_credit(dues, amount, choose, data):
    chosen = None
    if choose:
        open_ids = [d.id for d in dues if d.outstanding > 0]
        chosen = data.draw(st.permutations(open_ids))

    allocation = allocate_payment(amount=amount, open_dues=dues, chosen=chosen)

    outstanding = {d.id: d.outstanding for d in dues}
    assert allocation.allocated <= amount
    assert allocation.credit == amount - allocation.allocated
    assert allocation.credit >= 0
    assert all(0 < line.amount <= outstanding[line.due_id] for line in allocation.lines)
    if allocation.credit:
        targets = chosen if chosen is not None else outstanding
        assert all(outstanding[i] == dict(split(allocation)).get(i, 0) for i in targets)


@settings(max_examples=300)
@given(dues=open_dues(), first=amounts, second=amounts)
def test_one_payment_or_two_of_the_same_total_reach_the_same_paid_state(dues, first, second):
    once = allocate_payment(amount=first + second, open_dues=dues)
    after_once = apply_allocation(dues=dues, lines=once.lines, value_date=PAID_ON)

    one = allocate_payment(amount=first, open_dues=dues)
    middle = apply_allocation(dues=dues, lines=one.lines, value_date=PAID_ON)
    two = allocate_payment(amount=second, open_dues=middle)
    after_twice = apply_allocation(dues=middle, lines=two.lines, value_date=PAID_ON)

    assert [d.paid_total for d in after_once] == [d.paid_total for d in after_twice]
    assert once.credit == one.credit + two.credit

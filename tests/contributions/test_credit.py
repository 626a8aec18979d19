"""A household's credit (an overpayment) settles its next dues automatically (DOMAIN §5)."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.contributions import credit, services
from mutualis.contributions.credit import credit_apply
from mutualis.contributions.dues import dues_generate
from mutualis.contributions.models import Allocation, Due, DueKind
from mutualis.contributions.selectors import household_account
from mutualis.contributions.services import PaymentInput
from mutualis.contributions.status import daily_run
from mutualis.core.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db
D = Decimal


def paid_by_kind(hh, year: int) -> dict:
    return dict(
        Due.objects.filter(household=hh, period_start__year=year).values_list("kind", "paid")
    )


@pytest.fixture
def overpaid(schedule, make_household, clerk_a, manager, org_tree, monkeypatch):
    """2026 dues of 5,000 (1,000 + 500 + 3,500) paid with 8,000: 3,000 of credit, and the
    2027 dues generated with the credit left unused (as before a daily run)."""
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    payment = services.payment_record(
        actor=clerk_a, household=hh, data=PaymentInput(amount=D(8000), value_date=date(2026, 2, 1))
    )
    assert payment.credit == D(3000)
    with monkeypatch.context() as m:
        m.setattr(credit, "credit_apply", lambda **kw: credit.CreditResult())
        dues_generate(actor=manager, mutual=org_tree.mutual, period="2027")
    return hh, payment


def test_generating_dues_settles_them_from_the_households_credit(
    schedule, make_household, clerk_a, manager, org_tree
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    payment = services.payment_record(
        actor=clerk_a, household=hh, data=PaymentInput(amount=D(8000), value_date=date(2026, 2, 1))
    )

    result = dues_generate(actor=manager, mutual=org_tree.mutual, period="2027")

    payment.refresh_from_db()
    assert result.credit_households == 1
    assert payment.credit == 0
    # The 2027 contribution of 3,500 keeps 500 to pay; the 2026 fees are not billed again.
    assert sum(paid_by_kind(hh, 2027).values()) == D(3000)


def test_credit_settles_the_new_dues_fees_first_then_the_contribution(overpaid, manager, org_tree):
    hh, payment = overpaid

    result = credit_apply(actor=manager, mutual=org_tree.mutual, on=date(2027, 1, 2))

    assert (result.households, result.amount) == (1, D(3000))
    assert paid_by_kind(hh, 2027) == {
        DueKind.MEMBERSHIP_FEE: D(500),
        DueKind.CONTRIBUTION: D(2500),
    }
    payment.refresh_from_db()
    assert payment.credit == 0
    uses = Allocation.objects.filter(payment=payment, from_credit=True)
    assert {u.value_date for u in uses} == {date(2027, 1, 2)}
    account = household_account(household=hh, on=date(2027, 1, 2))
    assert account["credit"] == 0
    assert [u.amount for u in account["credit_uses"]] == [D(500), D(2500)]
    # Running it again changes nothing.
    again = credit_apply(actor=manager, mutual=org_tree.mutual, on=date(2027, 1, 3))
    assert again.allocations == 0


def test_the_daily_run_applies_the_credit_and_a_reversal_takes_it_back(
    overpaid, manager, clerk_a, org_tree
):
    hh, payment = overpaid

    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2027, 1, 2))
    assert paid_by_kind(hh, 2027)[DueKind.CONTRIBUTION] == D(2500)

    services.payment_reverse(
        actor=clerk_a, payment=payment, reason="Chèque sans provision", on=date(2027, 1, 5)
    )

    assert set(Due.objects.filter(household=hh).values_list("paid", flat=True)) == {D(0)}
    assert household_account(household=hh, on=date(2027, 1, 5))["credit"] == 0
    # The reversed payment's credit is gone: nothing is applied again.
    assert credit_apply(actor=manager, mutual=org_tree.mutual, on=date(2027, 1, 6)).amount == 0


def test_credit_is_applied_only_to_the_households_asked(
    overpaid, make_household, clerk_a, manager, org_tree
):
    hh, _payment = overpaid

    result = credit_apply(
        actor=manager, mutual=org_tree.mutual, household_ids=[hh.pk + 1000], on=date(2027, 1, 2)
    )

    assert result.allocations == 0
    assert paid_by_kind(hh, 2027)[DueKind.CONTRIBUTION] == 0


def test_the_household_page_and_the_statement_show_the_credit_used(
    overpaid, manager, clerk_a, org_tree, login
):
    from tests.contributions.test_pages import pdf_text

    hh, payment = overpaid
    credit_apply(actor=manager, mutual=org_tree.mutual, on=date(2027, 1, 2))
    client = login(clerk_a)

    page = client.get(f"/contributions/households/{hh.pk}/").content.decode()
    statement = pdf_text(client.get(f"/contributions/households/{hh.pk}/statement.pdf").content)

    assert "Crédit utilisé" in page
    assert payment.receipt_number in page.split('id="credit-uses"')[1]
    assert "Crédit utilisé" in statement
    assert "2 500" in statement.replace("\u202f", " ").replace("\u00a0", " ")


def test_refused_credit_runs(overpaid, board_member, make_user, org_tree):
    from mutualis.core.roles import Role

    other = make_user("clerk_c", Role.CLERK, org_tree.section_c)
    with pytest.raises(Forbidden):
        credit_apply(actor=board_member, mutual=org_tree.mutual, on=date(2027, 1, 2))
    with pytest.raises(NotFound):
        credit_apply(actor=other, mutual=org_tree.mutual, on=date(2027, 1, 2))

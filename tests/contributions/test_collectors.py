"""Field collectors: receipt books, payments on a book's receipts, cash handover (DOMAIN §5)."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.contributions import services
from mutualis.contributions.dues import dues_generate
from mutualis.contributions.models import CashHandover, Payment
from mutualis.core.errors import DomainError, Forbidden, NotFound
from mutualis.core.roles import Role

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 2, 1)


@pytest.fixture
def collector(org_tree, make_user):
    return make_user("awa", Role.CLERK, org_tree.section_a)


@pytest.fixture
def book(collector, clerk_a, org_tree):
    return services.receipt_book_issue(
        actor=clerk_a,
        section=org_tree.section_a,
        collector=collector,
        first_number=101,
        last_number=150,
        issued_on=date(2026, 1, 10),
        commission_rate=D("0.05"),
    )


@pytest.fixture
def billed(schedule, make_household, manager, org_tree):
    households = [make_household(size=1), make_household(size=1)]
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    return households


THREE_THOUSAND = D(3000)


def field_pay(actor, household, number, amount=THREE_THOUSAND):
    return services.field_payment_record(
        actor=actor,
        household=household,
        collector=actor,
        book_number=number,
        amount=amount,
        value_date=DAY,
        today=DAY,
    )


def text(content: bytes) -> str:
    from tests.contributions.test_pages import pdf_text

    return pdf_text(content).replace("\u202f", " ").replace("\u00a0", " ")


# --- Services -------------------------------------------------------------------------


def test_a_field_payment_carries_the_receipt_of_the_collectors_book(book, billed, collector):
    payment = field_pay(collector, billed[0], 101)

    assert payment.receipt_number == f"RB-{book.pk}-101"
    assert payment.method == "collector"
    assert payment.collector == collector


def test_a_receipt_number_cannot_be_used_twice(book, billed, collector):
    field_pay(collector, billed[0], 101)

    with pytest.raises(DomainError) as exc:
        field_pay(collector, billed[1], 101)

    assert "book_number" in exc.value.fields
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("number", [100, 151, "abc"])
def test_a_number_outside_the_book_is_refused(book, billed, collector, number):
    with pytest.raises(DomainError) as exc:
        field_pay(collector, billed[0], number)

    assert "book_number" in exc.value.fields
    assert Payment.objects.count() == 0


def test_a_number_of_another_collectors_book_is_refused(book, billed, clerk_a):
    with pytest.raises(DomainError) as exc:
        field_pay(clerk_a, billed[0], 101)

    assert "book_number" in exc.value.fields


def test_books_cannot_overlap_nor_go_to_a_user_of_another_section(
    book, clerk_a, clerk_b, collector, org_tree
):
    with pytest.raises(DomainError) as overlap:
        services.receipt_book_issue(
            actor=clerk_a,
            section=org_tree.section_a,
            collector=collector,
            first_number=150,
            last_number=200,
            issued_on=DAY,
        )
    with pytest.raises(DomainError) as stranger:
        services.receipt_book_issue(
            actor=clerk_a,
            section=org_tree.section_a,
            collector=clerk_b,
            first_number=201,
            last_number=250,
            issued_on=DAY,
        )

    assert "first_number" in overlap.value.fields
    assert "collector" in stranger.value.fields


def test_the_handover_compares_cash_with_receipts_and_computes_the_commission(
    book, billed, collector, clerk_a, org_tree
):
    field_pay(collector, billed[0], 101, D(3000))
    field_pay(collector, billed[1], 102, D(2000))

    handover = services.cash_handover(
        actor=clerk_a, section=org_tree.section_a, collector=collector, counted="4500", on=DAY
    )

    assert (handover.expected, handover.counted, handover.difference) == (
        D(5000),
        D(4500),
        D(-500),
    )
    assert handover.commission == D(250)
    assert handover.payments.count() == 2
    again = services.cash_handover(
        actor=clerk_a, section=org_tree.section_a, collector=collector, counted=0, on=DAY
    )
    assert again.expected == 0


def test_a_collector_does_not_confirm_their_own_handover(book, collector, org_tree):
    with pytest.raises(DomainError) as exc:
        services.cash_handover(
            actor=collector, section=org_tree.section_a, collector=collector, counted=0, on=DAY
        )

    assert "counted" in exc.value.fields
    assert CashHandover.objects.count() == 0


def test_collector_services_refuse_other_sections_and_roles(
    collector, clerk_b, board_member, org_tree
):
    with pytest.raises(NotFound):
        services.receipt_book_issue(
            actor=clerk_b,
            section=org_tree.section_a,
            collector=collector,
            first_number=1,
            last_number=50,
            issued_on=DAY,
        )
    with pytest.raises(Forbidden):
        services.cash_handover(
            actor=board_member, section=org_tree.section_a, collector=collector, counted=0, on=DAY
        )


# --- Pages ----------------------------------------------------------------------------


def test_a_clerk_issues_a_book_and_sees_numbers_used_and_remaining(
    billed, collector, clerk_a, org_tree, login
):
    client = login(clerk_a)

    response = client.post(
        "/contributions/receipt-books/",
        {
            "section": org_tree.section_a.pk,
            "collector": collector.pk,
            "first_number": "1",
            "last_number": "50",
            "issued_on": "2026-01-10",
            "commission_rate": "0.05",
        },
    )
    assert response.status_code == 302
    field_pay(collector, billed[0], 7)
    page = client.get("/contributions/receipt-books/").content.decode()

    books = page.split('id="books"')[1]
    assert "1–50" in books and "Awa" in books
    assert '<td class="used">1</td>' in books
    assert '<td class="remaining">49</td>' in books


def test_the_book_form_shows_the_overlap_on_the_field(book, collector, clerk_a, org_tree, login):
    response = login(clerk_a).post(
        "/contributions/receipt-books/",
        {
            "collector": collector.pk,
            "first_number": "120",
            "last_number": "130",
            "issued_on": "2026-01-10",
        },
    )

    assert response.status_code == 200
    assert "Ces numéros sont dans un autre carnet." in response.content.decode()


def test_a_collector_records_a_field_payment_and_a_reused_number_is_explained(
    book, billed, collector, login
):
    client = login(collector)
    data = {"number": billed[0].number, "book_number": "101", "amount": "3000"}

    first = client.post("/contributions/field/", {**data, "value_date": "2026-02-01"})
    second = client.post(
        "/contributions/field/",
        {**data, "number": billed[1].number, "value_date": "2026-02-01"},
    )
    outside = client.post(
        "/contributions/field/",
        {**data, "book_number": "99", "value_date": "2026-02-01"},
    )

    payment = Payment.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/contributions/payments/{payment.pk}/"
    assert "Ce reçu a déjà été utilisé." in second.content.decode()
    assert "Ce numéro de reçu n&#x27;est dans aucun carnet de ce collecteur." in (
        outside.content.decode()
    )


def test_the_handover_page_shows_the_expected_cash_and_records_a_slip(
    book, billed, collector, clerk_a, org_tree, login
):
    field_pay(collector, billed[0], 101, D(3000))
    client = login(clerk_a)

    page = client.get("/contributions/handover/").content.decode()
    assert "3 000" in page.split('id="pending"')[1].replace("\u202f", " ").replace("\xa0", " ")
    response = client.post(
        "/contributions/handover/",
        {"section": org_tree.section_a.pk, "collector": collector.pk, "counted": "2500"},
    )

    handover = CashHandover.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contributions/handovers/{handover.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "-500" in detail.split('id="difference"')[1].replace("\u202f", " ").replace(
        "\xa0", " "
    ).replace(" ", "")
    pdf = client.get(f"/contributions/handovers/{handover.pk}/slip.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    slip = text(pdf.content)
    assert handover.receipt_number in slip
    assert f"RB-{book.pk}-101" in slip
    assert "2 500" in slip


def test_collector_pages_refuse_wrong_roles_and_other_sections(
    book, billed, collector, clerk_a, clerk_b, board_member, org_tree, login
):
    field_pay(collector, billed[0], 101)
    handover = services.cash_handover(
        actor=clerk_a, section=org_tree.section_a, collector=collector, counted=3000, on=DAY
    )
    board = login(board_member)
    other = login(clerk_b)
    a = org_tree.section_a.pk

    for url in (
        "/contributions/receipt-books/",
        "/contributions/handover/",
        "/contributions/field/",
    ):
        assert board.get(url).status_code == 403
    assert board.get(f"/contributions/handovers/{handover.pk}/").status_code == 403
    assert other.get(f"/contributions/receipt-books/?section={a}").status_code == 404
    assert other.get(f"/contributions/handover/?section={a}").status_code == 404
    assert other.get(f"/contributions/handovers/{handover.pk}/").status_code == 404
    assert other.get(f"/contributions/handovers/{handover.pk}/slip.pdf").status_code == 404
    response = other.post(
        "/contributions/handover/", {"section": a, "collector": collector.pk, "counted": "0"}
    )
    assert response.status_code == 404
    assert CashHandover.objects.count() == 1

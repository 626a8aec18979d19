"""Pages: counter, household account, receipt and statement PDFs, schedules, runs, imports."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.contributions import services
from mutualis.contributions.dues import dues_generate
from mutualis.contributions.models import Payment, Schedule
from mutualis.contributions.services import PaymentInput

pytestmark = pytest.mark.django_db
D = Decimal


def pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_counter_finds_a_household_by_a_card_number(schedule, make_household, clerk_a, login):
    hh = make_household()

    response = login(clerk_a).get("/contributions/", {"number": f"{hh.memberships.first().number}"})

    assert response.status_code == 302
    assert response["Location"] == f"/contributions/households/{hh.pk}/"


def test_the_counter_does_not_find_a_household_of_another_section(
    schedule, make_household, clerk_a, org_tree, login
):
    other = make_household(section=org_tree.section_b)

    response = login(clerk_a).get("/contributions/", {"number": other.number})

    assert response.status_code == 200
    assert (
        "Aucun ménage" in response.content.decode() or "No household" in response.content.decode()
    )


def test_a_clerk_records_a_cash_payment_and_prints_the_receipt(
    schedule, make_household, clerk_a, manager, org_tree, login
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    client = login(clerk_a)

    response = client.post(
        f"/contributions/households/{hh.pk}/",
        {"amount": "5000", "method": "cash", "value_date": "2026-02-01", "idempotency_key": "abc"},
    )

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contributions/payments/{payment.pk}/"
    pdf = client.get(f"/contributions/payments/{payment.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "MAF-2026-000001" in text
    assert "5 000" in text or "5\u202f000" in text or "5,000" in text


def test_a_negative_amount_is_explained_on_the_counter_page(
    schedule, make_household, clerk_a, login
):
    hh = make_household(size=1)

    response = login(clerk_a).post(
        f"/contributions/households/{hh.pk}/",
        {"amount": "-100", "method": "cash", "value_date": "2026-02-01", "idempotency_key": "x"},
    )

    assert response.status_code == 200
    assert "zéro" in response.content.decode() or "zero" in response.content.decode()
    assert Payment.objects.count() == 0


def test_a_clerk_cannot_open_a_household_or_receipt_of_another_section(
    schedule, make_household, clerk_a, clerk_b, org_tree, login
):
    hh = make_household(section=org_tree.section_b, size=1)
    payment = services.payment_record(
        actor=clerk_b, household=hh, data=PaymentInput(amount=D(100), value_date=date(2026, 2, 1))
    )

    assert login(clerk_a).get(f"/contributions/households/{hh.pk}/").status_code == 404
    assert (
        login(clerk_a).get(f"/contributions/payments/{payment.pk}/receipt.pdf").status_code == 404
    )


def test_pages_refuse_the_wrong_role_and_anonymous(
    org_tree, schedule, board_member, clerk_a, login
):
    from django.test import Client

    assert Client().get("/contributions/").status_code == 302
    assert login(board_member).get("/contributions/").status_code == 403
    assert login(clerk_a).get("/contributions/schedules/").status_code == 403
    assert login(clerk_a).get("/contributions/runs/").status_code == 403
    assert login(clerk_a).get("/contributions/mobile-money/").status_code == 403


def test_the_statement_pdf_lists_dues_payments_and_balance(
    schedule, make_household, clerk_a, manager, org_tree, login
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    services.payment_record(
        actor=clerk_a, household=hh, data=PaymentInput(amount=D(2000), value_date=date(2026, 2, 1))
    )

    text = pdf_text(login(clerk_a).get(f"/contributions/households/{hh.pk}/statement.pdf").content)

    assert hh.number in text
    assert "MAF-2026-000001" in text
    assert "3 000" in text or "3\u202f000" in text  # 5,000 due, 2,000 paid


def test_a_manager_is_refused_a_schedule_rated_by_sex_on_the_page(org_tree, manager, login):
    response = login(manager).post(
        "/contributions/schedules/",
        {
            "name": "Par sexe",
            "kind": "flat_per_person",
            "period": "yearly",
            "first_month": 1,
            "amount": "3500",
            "varies_by": "sex",
            "rates": "F=3000\nM=4000",
            "registration_fee": 0,
            "membership_fee": 0,
            "renewal_discount": 0,
            "pro_rata": "none",
            "due_days": 0,
            "grace_days": 30,
            "cover_share": 1,
            "partial_cover_months": 0,
            "strike_off_months": 12,
        },
    )

    assert response.status_code == 200
    assert "solidarit" in response.content.decode()
    assert not Schedule.objects.filter(name="Par sexe").exists()


def test_a_manager_generates_dues_and_runs_the_daily_run_from_the_page(
    schedule, make_household, manager, login
):
    make_household()
    client = login(manager)

    generated = client.post("/contributions/runs/", {"action": "generate", "period": "2026-11"})
    daily = client.post("/contributions/runs/", {"action": "daily", "date": "2026-03-01"})

    assert generated.status_code == 302 and generated["Location"].startswith("/batches/")
    assert daily.status_code == 302 and daily["Location"].startswith("/batches/")
    page = client.get(generated["Location"]).content.decode()
    assert "contributions.generate_dues" in page


def test_a_mobile_money_statement_is_imported_and_unmatched_lines_are_listed(
    schedule, make_household, manager, org_tree, login
):
    hh = make_household(size=1, phone="+221770000001")
    other = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    card = hh.memberships.first().number
    content = (
        "reference,date,amount,phone,text\n"
        f"OM1,2026-02-01,5000,+221770000001,Cotisation {card}\n"
        "OM2,2026-02-02,3000,+221770000001,cotisation famille\n"
        f"OM3,2026-02-02,3000,+221779999999,{other.number}\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(manager)
    response = client.post(
        "/contributions/mobile-money/",
        {"operator": "Orange Money", "file": SimpleUploadedFile("om.csv", content)},
    )
    again = client.post(
        "/contributions/mobile-money/",
        {"operator": "Orange Money", "file": SimpleUploadedFile("om.csv", content)},
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "OM2" in page and "OM1" not in page
    assert hh.number in page  # suggested from the phone, not allocated
    assert Payment.objects.filter(method="mobile_money").count() == 2
    assert again.status_code == 302
    assert Payment.objects.filter(method="mobile_money").count() == 2


def test_a_statement_with_wrong_columns_or_a_repeated_reference_writes_nothing(
    schedule, manager, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(manager)
    wrong = client.post(
        "/contributions/mobile-money/",
        {"operator": "Wave", "file": SimpleUploadedFile("w.csv", b"ref;montant\nA;100\n")},
    )
    twice = client.post(
        "/contributions/mobile-money/",
        {
            "operator": "Wave",
            "file": SimpleUploadedFile(
                "w.csv",
                b"reference,date,amount,phone,text\nW1,2026-02-01,100,,x\nW1,2026-02-01,100,,y\n",
            ),
        },
    )

    assert "reference" in wrong.content.decode()
    assert "W1" in twice.content.decode()
    assert Payment.objects.count() == 0
    from mutualis.contributions.models import MobileMoneyImport

    assert MobileMoneyImport.objects.count() == 0


def test_the_payer_statement_shows_what_to_claim(
    schedule, state, make_household, manager, org_tree, login
):
    services.subsidy_add(actor=manager, schedule=schedule, payer=state, share=D("0.5"))
    make_household(size=2)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    page = login(manager).get(f"/contributions/payers/{state.pk}/").content.decode()
    csv = login(manager).get(f"/contributions/payers/{state.pk}/?format=csv").content.decode()

    assert "3\u00a0500" in page or "3 500" in page or "3,500" in page
    assert "3500" in csv

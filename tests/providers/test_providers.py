import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutualis.core.errors import Conflict
from mutualis.engine import benefits as eb
from mutualis.providers import selectors, services
from mutualis.providers.models import NegotiatedTariff

pytestmark = pytest.mark.django_db

CSV = b"code;price;flat_rate;flat_basis\nCONS;2000;;\nPARA;500;;\nACC;;25000;episode\n"


@pytest.fixture
def agreement(provider, manager):
    return services.agreement_create(
        actor=manager, provider=provider, reference="CONV-2026", valid_from=date(2026, 1, 1)
    )


def test_a_tariff_list_is_imported_from_csv_and_read_by_the_engine(agreement, manager, provider):
    report = services.tariffs_import(
        actor=manager, agreement=agreement, content=CSV, filename="tarifs.csv"
    )

    (facts,) = selectors.agreement_facts([provider.pk])
    assert report.imported == 3
    assert facts.tariffs == {"CONS": Decimal(2000), "PARA": Decimal(500)}
    assert facts.flat_rates["ACC"] == eb.FlatRate(Decimal(25000), eb.FlatBasis.EPISODE)
    assert facts.valid_on(date(2026, 6, 1)) and facts.third_party_payment


def test_a_tariff_list_is_imported_from_xlsx(agreement, manager):
    import polars as pl

    buffer = io.BytesIO()
    pl.DataFrame({"code": ["CONS", "NFS"], "price": ["2000", "3500"]}).write_excel(buffer)

    services.tariffs_import(
        actor=manager, agreement=agreement, content=buffer.getvalue(), filename="t.xlsx"
    )

    assert dict(NegotiatedTariff.objects.values_list("item_code", "price")) == {
        "CONS": Decimal(2000),
        "NFS": Decimal(3500),
    }


def test_bad_rows_are_reported_by_number_and_nothing_is_imported(agreement, manager):
    bad = b"code,price\nCONS,abc\n,100\nPARA,-1\nPARA,2.5\n"

    with pytest.raises(services.TariffRowsInvalid) as caught:
        services.tariffs_import(actor=manager, agreement=agreement, content=bad, filename="t.csv")

    assert set(caught.value.fields) == {"row 2", "row 3", "row 4", "row 5"}
    assert NegotiatedTariff.objects.count() == 0


def test_overlapping_agreements_are_refused(agreement, manager, provider):
    with pytest.raises(Conflict):
        services.agreement_create(
            actor=manager, provider=provider, reference="X", valid_from=date(2026, 6, 1)
        )


def test_a_board_member_cannot_manage_providers(provider, board_member):
    from mutualis.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.agreement_create(
            actor=board_member, provider=provider, reference="X", valid_from=date(2026, 1, 1)
        )


def test_the_manager_imports_tariffs_on_the_agreement_page(agreement, manager, login):
    client = login(manager)

    response = client.post(
        f"/providers/agreements/{agreement.pk}/",
        {"file": SimpleUploadedFile("tarifs.csv", CSV, content_type="text/csv")},
        follow=True,
    )

    page = response.content.decode()
    assert "CONS" in page and "2\u00a0000\u00a0XOF" in page
    assert "Centre de santé A" in client.get("/providers/").content.decode()


def test_provider_pages_refuse_other_mutuals_and_roles(
    agreement, org_tree, make_user, login, clerk_a
):
    from mutualis.core.roles import Role

    other = make_user("officer_c", Role.CLAIMS_OFFICER, org_tree.other_mutual)

    assert login(other).get(f"/providers/{agreement.provider_id}/").status_code == 404
    assert login(clerk_a).get("/providers/").status_code == 403
    assert Client().get("/providers/").status_code == 302


def test_an_agent_sees_only_the_own_provider(provider, provider_agent):
    assert list(selectors.provider_list(user=provider_agent)) == [provider]


def test_an_agreement_carries_its_submission_deadline_to_the_engine(provider, manager):
    services.agreement_create(
        actor=manager,
        provider=provider,
        reference="CONV-D",
        valid_from=date(2026, 1, 1),
        submission_deadline_days=30,
    )

    (facts,) = selectors.agreement_facts([provider.pk], codes=["CONS"])
    assert facts.submission_deadline_days == 30
    assert facts.tariffs == {}


def test_the_manager_sets_the_deadline_on_the_agreement_page(agreement, manager, login):
    client = login(manager)

    response = client.post(
        f"/providers/agreements/{agreement.pk}/",
        {"terms": "1", "payment_terms_days": "30", "third_party_payment": "on",
         "submission_deadline_days": "60"},
        follow=True,
    )  # fmt: skip

    agreement.refresh_from_db()
    assert agreement.submission_deadline_days == 60
    assert "60 jours après les soins" in response.content.decode()


def test_a_deadline_of_zero_days_is_refused_on_the_page(agreement, manager, login):
    response = login(manager).post(
        f"/providers/agreements/{agreement.pk}/",
        {"terms": "1", "payment_terms_days": "30", "submission_deadline_days": "0"},
    )

    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.submission_deadline_days is None


def test_only_managers_change_the_terms(agreement, provider_agent, org_tree, make_user, login):
    from mutualis.core.roles import Role

    auditor = make_user("auditor_m", Role.AUDITOR, org_tree.mutual)
    other = make_user("manager_c", Role.MANAGER, org_tree.other_mutual)
    body = {"terms": "1", "payment_terms_days": "30", "submission_deadline_days": "5"}

    assert login(auditor).post(f"/providers/agreements/{agreement.pk}/", body).status_code == 403
    assert login(other).post(f"/providers/agreements/{agreement.pk}/", body).status_code == 404
    agreement.refresh_from_db()
    assert agreement.submission_deadline_days is None

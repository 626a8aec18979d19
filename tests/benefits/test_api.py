"""GET /api/v1/eligibility: eligible, every reason translated, co-payment, limits left."""

import pytest
from django.test import Client

from tests.benefits.conftest import number

pytestmark = pytest.mark.django_db

URL = "/api/v1/eligibility"


def get(client, **params):
    return client.get(URL, {"on": "2026-06-15", **params})


def test_an_eligible_member_gets_the_coverage_and_the_beneficiary(
    world, provider_agent, api_client_for
):
    body = get(api_client_for(provider_agent), number=world.head.number, item="CONS").json()

    assert body["eligible"] is True
    assert body["reasons"] == []
    assert body["coverage"] == {
        "rate": "0.8",
        "member_rate": "0.2",
        "fixed_copay": None,
        "currency": "XOF",
    }
    assert body["package"] == "Paquet de base"
    assert body["beneficiary"]["household_number"] == "H1"
    assert body["beneficiary"]["name"] == "Awa DIOP"
    assert [r["kind"] for r in body["remaining"]] == ["count_limit", "ceiling"]


def test_a_fixed_co_payment_is_an_amount(world, clerk_a, api_client_for):
    body = get(api_client_for(clerk_a), number=world.head.number, item="PARA").json()

    assert body["coverage"]["fixed_copay"] == "200"
    assert body["remaining"][0]["remaining"] == "50000"


def test_a_suspended_member_gets_the_reason_in_french(world, clerk_a, api_client_for):
    body = get(api_client_for(clerk_a), number=world.suspended.number).json()

    assert body["eligible"] is False
    assert body["reasons"] == [
        {
            "code": "not_covered",
            "message": "Adhésion suspendue à cette date.",
            "params": {"membership": "suspended"},
        }
    ]


def test_reasons_come_in_english_for_an_english_caller(world, make_user, api_client_for):
    from mutualis.core.roles import Role

    clerk = make_user("clerk_en", Role.CLERK, world.head.section, language="en")
    client = api_client_for(clerk)

    body = client.get(
        URL,
        {"number": world.head.number, "on": "2026-06-15", "item": "ACC"},
        headers={"Accept-Language": "en"},
    ).json()

    assert body["reasons"][0]["code"] == "waiting_period"
    assert body["reasons"][0]["message"].startswith("Waiting period until")
    assert body["reasons"][0]["params"] == {"until": "2026-09-27"}


def test_every_reason_is_listed(world, clerk_a, api_client_for):
    body = get(
        api_client_for(clerk_a), number=world.suspended.number, on="2026-06-15", item="HOSP"
    ).json()

    assert [r["code"] for r in body["reasons"]] == ["not_covered", "referral_missing"]
    assert body["reasons"][1]["message"] == (
        "Une référence de la formation sanitaire de premier contact est exigée."
    )


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ("DENT", "not_in_package"),
        ("NOPE", "unknown_item"),
        ("HOSP", "referral_missing"),
        ("ACC", "waiting_period"),
    ],
)
def test_service_reasons(world, clerk_a, api_client_for, item, code):
    body = get(api_client_for(clerk_a), number=world.head.number, item=item).json()

    assert body["eligible"] is False
    assert [r["code"] for r in body["reasons"]] == [code]
    assert body["reasons"][0]["message"]


def test_an_unknown_number_is_a_404(world, clerk_a, api_client_for):
    response = get(api_client_for(clerk_a), number=number(999))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_mistyped_number_says_so(world, clerk_a, api_client_for):
    response = get(api_client_for(clerk_a), number="0000000010")

    assert response.status_code == 400
    assert response.json()["code"] == "number_mistyped"


def test_another_section_is_a_404(world, clerk_b, api_client_for):
    response = get(api_client_for(clerk_b), number=world.head.number)

    assert response.status_code == 404


def test_a_board_member_is_refused(world, board_member, api_client_for):
    response = get(api_client_for(board_member), number=world.head.number)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_anonymous_is_refused(world):
    assert get(Client(), number=world.head.number).status_code == 401


def test_a_bad_date_names_the_field(world, clerk_a, api_client_for):
    response = api_client_for(clerk_a).get(URL, {"number": world.head.number, "on": "15/06"})

    assert response.status_code == 400
    assert "on" in response.json()["fields"]


def test_the_query_count_is_fixed(world, clerk_a, api_client_for, django_assert_max_num_queries):
    client = api_client_for(clerk_a)
    get(client, number=world.head.number, item="CONS")

    # token with grants, beneficiary + item, then status history, cover, versions and
    # the dues standing (dues, payments, statutes) in one, then what the household's
    # accepted claims have consumed
    with django_assert_max_num_queries(4):
        assert get(client, number=world.head.number, item="CONS").status_code == 200


def test_packages_are_listed_for_a_board_member(world, board_member, api_client_for):
    body = api_client_for(board_member).get("/api/v1/packages").json()

    assert [p["code"] for p in body] == ["BASE"]


def test_packages_of_another_mutual_are_not_listed(world, org_tree, make_user, api_client_for):
    from mutualis.core.roles import Role

    other = make_user("clerk_c", Role.CLERK, org_tree.section_c)

    assert api_client_for(other).get("/api/v1/packages").json() == []


def test_an_agent_may_only_name_their_own_facility(world, provider, provider_agent, api_client_for):
    from mutualis.providers.models import Provider

    other = Provider.objects.create(
        organisation=world.mutual, code="HR", name="Hôpital", kind="regional_hospital"
    )
    client = api_client_for(provider_agent)

    refused = get(client, number=world.head.number, provider=other.pk)
    mine = get(client, number=world.head.number, provider=provider.pk)

    assert refused.status_code == 400
    assert "provider" in refused.json()["fields"]
    assert mine.status_code == 200

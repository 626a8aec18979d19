import pytest

pytestmark = pytest.mark.django_db


def test_search_by_name_through_the_api(household, clerk_a, api_client_for):
    response = api_client_for(clerk_a).get("/api/v1/members", {"q": "helene ndiaye"})

    assert response.status_code == 200
    assert [r["first_name"] for r in response.json()] == ["Hélène"]


def test_a_mistyped_number_is_a_400_with_its_code(household, clerk_a, api_client_for):
    number = household.memberships.first().number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)

    response = api_client_for(clerk_a).get(f"/api/v1/members/{wrong}")

    assert response.status_code == 400
    assert response.json()["code"] == "mistyped_number"


def test_household_cover_on_a_date(household, clerk_a, api_client_for):
    response = api_client_for(clerk_a).get(
        f"/api/v1/households/{household.pk}", {"on": "2026-03-01"}
    )

    body = response.json()
    assert response.status_code == 200
    assert [b["covered"] for b in body["beneficiaries"]] == [True] * 4
    assert body["beneficiaries"][0]["packages"] == ["BASE"]


def test_another_section_gets_404_and_a_board_member_403(
    household, clerk_b, board_member, api_client_for
):
    url = f"/api/v1/households/{household.pk}?on=2026-03-01"

    assert api_client_for(clerk_b).get(url).status_code == 404
    assert api_client_for(board_member).get("/api/v1/members?q=ndiaye").status_code == 403

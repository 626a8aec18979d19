import pytest
from django.test import Client

from mutualis.core import services

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_caller_without_a_token_with_the_error_shape():
    response = Client().get("/api/v1/ping")

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Veuillez vous connecter.",
        "fields": {},
    }


def test_a_token_authenticates_the_caller(clerk_a, api_client_for):
    response = api_client_for(clerk_a).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "clerk_a"
    assert response.json()["roles"][0]["role"] == "clerk"


def test_a_revoked_or_wrong_token_is_refused(clerk_a):
    token, key = services.api_token_create(actor=clerk_a, user=clerk_a, name="x")
    services.api_token_revoke(actor=clerk_a, token=token)

    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/ping").status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer mut_nope"}).get("/api/v1/ping").status_code == 401
    )


def test_organisations_are_scoped_to_the_caller(org_tree, clerk_a, api_client_for):
    client = api_client_for(clerk_a)

    listed = client.get("/api/v1/organisations").json()
    other = client.get(f"/api/v1/organisations/{org_tree.section_b.pk}")

    assert [o["name"] for o in listed] == ["Section A"]
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"


def test_a_malformed_parameter_gets_a_400_naming_the_field(clerk_a, api_client_for):
    response = api_client_for(clerk_a).get("/api/v1/organisations/abc")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "organisation_id" in body["fields"]


def test_an_unknown_api_path_is_a_404_in_the_error_shape(clerk_a, api_client_for):
    response = api_client_for(clerk_a).get("/api/v1/nowhere")

    assert response.status_code == 404


def test_the_web_session_also_authenticates_the_api(clerk_a, login):
    assert login(clerk_a).get("/api/v1/ping").status_code == 200


def test_the_openapi_document_is_served(clerk_a, login):
    response = login(clerk_a).get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Mutualis API"


def test_english_callers_get_english_errors():
    response = Client(headers={"Accept-Language": "en"}).get("/api/v1/ping")

    assert response.json()["message"] == "Please sign in."

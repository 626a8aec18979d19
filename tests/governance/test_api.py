"""POST/GET /api/v1/complaints: token or session, scoped to the caller."""

import pytest
from django.test import Client

from mutualis.core.models import User

pytestmark = pytest.mark.django_db


def test_a_clerk_files_a_complaint_through_the_api(registry, org_tree, clerk_a, api_client_for):
    client = api_client_for(clerk_a)

    response = client.post(
        "/api/v1/complaints",
        {
            "member_number": registry.n(0),
            "subject": "Accueil",
            "description": "Mauvais accueil au guichet.",
            "received_on": "2026-03-02",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "api"
    assert body["section_id"] == org_tree.section_a.pk
    assert body["due_on"] == "2026-04-01"
    assert [c["subject"] for c in client.get("/api/v1/complaints").json()] == ["Accueil"]


def test_complaints_of_another_section_are_not_listed_nor_readable(
    registry, org_tree, clerk_a, clerk_b, api_client_for
):
    created = api_client_for(clerk_a).post(
        "/api/v1/complaints",
        {"section_id": org_tree.section_a.pk, "subject": "x", "description": "y"},
        content_type="application/json",
    )
    other = api_client_for(clerk_b)

    assert other.get("/api/v1/complaints").json() == []
    assert other.get(f"/api/v1/complaints/{created.json()['id']}").status_code == 404


def test_a_clerk_cannot_file_in_another_section(org_tree, clerk_a, api_client_for):
    response = api_client_for(clerk_a).post(
        "/api/v1/complaints",
        {"section_id": org_tree.section_b.pk, "subject": "x", "description": "y"},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_member_files_for_themselves(registry, org_tree, root_user):
    member = User.objects.create_user("member1", password="x-long-password-1")
    person = registry.adherents[0].person
    person.user = member
    person.save()
    client = Client()
    client.force_login(member)

    response = client.post(
        "/api/v1/complaints",
        {
            "member_number": registry.n(0),
            "kind": "suggestion",
            "subject": "Horaires",
            "description": "Ouvrir le samedi.",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "suggestion"
    assert [c["subject"] for c in client.get("/api/v1/complaints").json()] == ["Horaires"]


def test_an_empty_subject_is_a_400_naming_the_field(org_tree, clerk_a, api_client_for):
    response = api_client_for(clerk_a).post(
        "/api/v1/complaints",
        {"section_id": org_tree.section_a.pk, "subject": " ", "description": "y"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "subject" in response.json()["fields"]


def test_the_api_refuses_an_anonymous_caller():
    assert Client().get("/api/v1/complaints").status_code == 401

import pytest
from django.test import Client

from mutualis.core.models import AuditEvent, Organisation, User
from mutualis.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_signing_in_shows_the_clerks_home_in_french(clerk_a):
    client = Client()

    response = client.post("/login/", {"username": "clerk_a", "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Bienvenue" in text
    assert "Agent de section" in text
    assert "Section A" in text


def test_a_wrong_password_is_explained_in_french(clerk_a):
    response = Client().post("/login/", {"username": "clerk_a", "password": "nope"})

    assert "mot de passe" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_the_language_switch_is_remembered_for_the_user(clerk_a, login):
    client = login(clerk_a)

    response = client.post("/language/", {"language": "en", "next": "/"}, follow=True)

    assert "Welcome" in response.content.decode()
    assert User.objects.get(pk=clerk_a.pk).language == "en"
    response = client.post("/language/", {"language": "fr", "next": "/"}, follow=True)
    assert "Bienvenue" in response.content.decode()


def test_a_clerk_sees_the_own_section_page(org_tree, clerk_a, login):
    response = login(clerk_a).get(f"/organisation/{org_tree.section_a.pk}/")

    assert response.status_code == 200
    assert "Section A" in response.content.decode()


def test_a_clerk_is_refused_the_page_of_another_section(org_tree, clerk_a, login):
    response = login(clerk_a).get(f"/organisation/{org_tree.section_b.pk}/")

    assert response.status_code == 404
    assert "Section B" not in response.content.decode()


def test_a_clerk_may_not_manage_the_organisation(clerk_a, login):
    assert login(clerk_a).get("/organisation/").status_code == 403
    assert login(clerk_a).get("/users/").status_code == 403
    assert login(clerk_a).get("/audit/").status_code == 403


def test_a_manager_adds_a_section_from_the_page(org_tree, manager, login):
    client = login(manager)

    response = client.post(
        "/organisation/",
        {"parent": org_tree.mutual.pk, "kind": "section", "name": "Section Pout", "code": "MAF-P"},
        follow=True,
    )

    assert response.status_code == 200
    assert Organisation.objects.get(code="MAF-P").parent == org_tree.mutual
    assert "Section Pout" in response.content.decode()


def test_a_manager_cannot_add_a_section_to_another_mutual(org_tree, manager, login):
    response = login(manager).post(
        "/organisation/",
        {"parent": org_tree.other_mutual.pk, "kind": "section", "name": "X", "code": "X"},
    )

    assert not Organisation.objects.filter(code="X").exists()
    assert response.status_code == 200  # the form is shown again with the choice refused


def test_a_manager_creates_a_user_with_a_role(org_tree, manager, login):
    response = login(manager).post(
        "/users/",
        {
            "username": "aissatou",
            "first_name": "Aïssatou",
            "last_name": "Diallo",
            "language": "fr",
            "password": PASSWORD,
            "role": Role.CLERK,
            "organisation": org_tree.section_b.pk,
        },
        follow=True,
    )

    assert response.status_code == 200
    user = User.objects.get(username="aissatou")
    assert user.assignments.get().organisation == org_tree.section_b


def test_a_short_password_is_refused_on_the_form_in_french(org_tree, manager, login):
    response = login(manager).post(
        "/users/",
        {
            "username": "x",
            "language": "fr",
            "password": "court",
            "role": Role.CLERK,
            "organisation": org_tree.section_b.pk,
        },
    )

    assert "trop court" in response.content.decode()
    assert not User.objects.filter(username="x").exists()


def test_a_manager_cannot_open_a_user_of_another_mutual(org_tree, manager, make_user, login):
    stranger = make_user("stranger", Role.CLERK, org_tree.section_c)

    assert login(manager).get(f"/users/{stranger.pk}/").status_code == 404


def test_a_manager_removes_a_role_and_it_is_audited(org_tree, manager, clerk_a, login):
    assignment = clerk_a.assignments.get()

    login(manager).post(f"/roles/{assignment.pk}/revoke/")

    assert not clerk_a.assignments.exists()
    assert AuditEvent.objects.filter(action="role.revoke", actor=manager).exists()


def test_a_manager_cannot_remove_a_role_in_another_mutual(org_tree, manager, make_user, login):
    stranger = make_user("stranger", Role.CLERK, org_tree.section_c)

    response = login(manager).post(f"/roles/{stranger.assignments.get().pk}/revoke/")

    assert response.status_code == 404
    assert stranger.assignments.exists()


def test_an_auditor_browses_the_audit_trail(org_tree, auditor, manager, login):
    from mutualis.core import services

    services.organisation_update(actor=manager, organisation=org_tree.section_a, name="A2")

    response = login(auditor).get("/audit/")

    assert response.status_code == 200
    assert "organisation.update" in response.content.decode()


def test_a_user_creates_and_revokes_an_api_token(clerk_a, login):
    client = login(clerk_a)

    response = client.post("/account/", {"name": "tablette"})

    assert "mut_" in response.content.decode()
    token = clerk_a.api_tokens.get()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_batch_progress_page_is_scoped(org_tree, manager, clerk_a, login):
    from mutualis.core import services

    with services.batch_run(
        actor=manager, kind="x", organisation=org_tree.mutual, total=4
    ) as progress:
        progress.advance(2)
    batch_id = progress.log.pk

    assert login(manager).get(f"/batches/{batch_id}/").status_code == 200
    assert login(clerk_a).get(f"/batches/{batch_id}/").status_code == 404


def test_pages_stay_light(org_tree, manager, login):
    client = login(manager)
    for url in ("/", "/organisation/", "/users/", "/audit/", "/account/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) < 100_000, url


@pytest.mark.parametrize(
    "url", ["/", "/organisation/", "/users/", "/audit/", "/account/", "/batches/1/"]
)
def test_every_core_page_sends_anonymous_visitors_to_sign_in(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_admin_is_for_superusers_only(manager, root_user, login):
    assert login(manager).get("/admin/").status_code == 302
    assert login(root_user).get("/admin/core/organisation/").status_code == 200


def test_an_auditor_sees_who_changed_a_record_and_which_fields(org_tree, auditor, manager, login):
    from mutualis.core import services

    services.organisation_update(actor=manager, organisation=org_tree.section_a, name="A-Nord")

    response = login(auditor).get("/audit/changes/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "A-Nord" in text
    assert "Manager" in text  # the manager's name, as recorded by the history
    assert "name" in text


def test_the_record_history_is_scoped_and_refused_to_clerks(org_tree, make_user, clerk_a, login):
    from mutualis.core.roles import Role

    other_auditor = make_user("aud_c", Role.AUDITOR, org_tree.other_mutual)

    assert login(clerk_a).get("/audit/changes/").status_code == 403
    text = login(other_auditor).get("/audit/changes/").content.decode()
    assert "Section A" not in text

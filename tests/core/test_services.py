from datetime import timedelta

import pytest
from django.utils import timezone

from mutualis.core import services
from mutualis.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mutualis.core.models import AuditEvent, BatchLog, BatchStatus, OrgKind, User
from mutualis.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_section_inherits_its_mutuals_currency_and_gets_a_path(org_tree, manager):
    section = services.organisation_create(
        actor=manager, kind=OrgKind.SECTION, name="Section D", code="MAF-D", parent=org_tree.mutual
    )

    assert section.currency == "XOF"
    assert section.path == f"{org_tree.mutual.path}{section.pk}/"
    assert section.is_within(org_tree.union)
    assert AuditEvent.objects.filter(
        action="organisation.create", target_id=str(section.pk), actor=manager
    ).exists()


def test_a_section_cannot_sit_directly_under_a_union(org_tree, root_user):
    with pytest.raises(ValidationFailed) as err:
        services.organisation_create(
            actor=root_user, kind=OrgKind.SECTION, name="X", code="X", parent=org_tree.union
        )

    assert "parent" in err.value.fields


def test_a_duplicate_code_is_refused_with_the_field_named(org_tree, manager):
    with pytest.raises(ValidationFailed) as err:
        services.organisation_create(
            actor=manager, kind=OrgKind.SECTION, name="Dup", code="MAF-A", parent=org_tree.mutual
        )

    assert "code" in err.value.fields


def test_a_manager_cannot_create_units_in_another_mutual(org_tree, manager):
    with pytest.raises(NotFound):
        services.organisation_create(
            actor=manager,
            kind=OrgKind.SECTION,
            name="Intrus",
            code="MJ-X",
            parent=org_tree.other_mutual,
        )


def test_a_clerk_cannot_create_units_even_in_the_own_section(org_tree, clerk_a):
    with pytest.raises(Forbidden):
        services.organisation_create(
            actor=clerk_a, kind=OrgKind.SECTION, name="Y", code="Y", parent=org_tree.section_a
        )
    with pytest.raises(NotFound):
        services.organisation_create(
            actor=clerk_a, kind=OrgKind.SECTION, name="Y", code="Y", parent=org_tree.mutual
        )


def test_a_manager_creates_a_clerk_for_a_section(org_tree, manager):
    user = services.user_create(
        actor=manager,
        username="new.clerk",
        password=PASSWORD,
        role=Role.CLERK,
        organisation=org_tree.section_b,
    )

    assert user.assignments.get().organisation == org_tree.section_b
    assert user.check_password(PASSWORD)


def test_a_weak_password_is_refused_with_a_reason(org_tree, manager):
    with pytest.raises(ValidationFailed) as err:
        services.user_create(
            actor=manager,
            username="weak",
            password="12345678",
            role=Role.CLERK,
            organisation=org_tree.section_b,
        )

    assert "password" in err.value.fields


def test_a_manager_cannot_give_roles_in_another_mutual(org_tree, manager):
    with pytest.raises(NotFound):
        services.user_create(
            actor=manager,
            username="x",
            password=PASSWORD,
            role=Role.CLERK,
            organisation=org_tree.section_c,
        )
    assert not User.objects.filter(username="x").exists()


def test_the_same_role_twice_is_a_conflict(org_tree, manager, clerk_a):
    with pytest.raises(Conflict):
        services.role_assign(
            actor=manager, user=clerk_a, role=Role.CLERK, organisation=org_tree.section_a
        )


def test_a_facility_agent_needs_a_provider(org_tree, manager, clerk_a):
    with pytest.raises(ValidationFailed) as err:
        services.role_assign(
            actor=manager, user=clerk_a, role=Role.PROVIDER_AGENT, organisation=org_tree.mutual
        )

    assert "provider" in err.value.fields


def test_sign_in_locks_after_repeated_failures(settings, clerk_a):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        with pytest.raises(services.BadCredentials):
            services.login_check(username="clerk_a", password="wrong")

    with pytest.raises(services.AccountLocked):
        services.login_check(username="clerk_a", password="wrong")
    with pytest.raises(services.AccountLocked):
        services.login_check(username="clerk_a", password=PASSWORD)

    User.objects.filter(pk=clerk_a.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.login_check(username="CLERK_A", password=PASSWORD) == clerk_a


def test_passwords_are_hashed_with_argon2(settings, org_tree, manager):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = services.user_create(
        actor=manager,
        username="argon",
        password=PASSWORD,
        role=Role.CLERK,
        organisation=org_tree.section_a,
    )

    assert user.password.startswith("argon2$")


def test_api_tokens_are_stored_as_sha256_only(clerk_a):
    token, key = services.api_token_create(actor=clerk_a, user=clerk_a, name="tablette")

    assert key.startswith("mut_")
    assert token.key_hash == services.token_hash(key)
    assert key not in token.key_hash


def test_history_records_who_changed_an_organisation(org_tree, manager):
    services.organisation_update(
        actor=manager, organisation=org_tree.section_a, name="Section A (Thiès)"
    )

    last = org_tree.section_a.history.first()
    assert last.name == "Section A (Thiès)"
    assert last.history_user == manager


def test_a_batch_log_records_progress_and_outcome(manager, org_tree):
    with services.batch_run(
        actor=manager,
        kind="test.import",
        organisation=org_tree.mutual,
        parameters={"file": "x.csv"},
        total=10,
    ) as progress:
        progress.advance(7, failed=3)

    log = BatchLog.objects.get()
    assert (log.status, log.rows_done, log.rows_failed, log.percent) == (
        BatchStatus.SUCCEEDED,
        7,
        3,
        70,
    )


def test_a_failed_batch_is_logged_as_failed(manager):
    with pytest.raises(RuntimeError), services.batch_run(actor=manager, kind="test.fail"):
        raise RuntimeError("disk full")

    log = BatchLog.objects.get()
    assert log.status == BatchStatus.FAILED
    assert "disk full" in log.message


def test_sequences_reserve_blocks_without_overlap(db):
    first = services.sequence_reserve(key="receipts", count=100)
    second = services.sequence_reserve(key="receipts")

    assert (first, second) == (1, 101)

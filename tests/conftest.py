"""Shared fixtures: an organisation tree and one user per role, built through services.

union
└── mutual (XOF)
    ├── section A   ← clerk_a
    └── section B   ← clerk_b
other mutual
    └── section C
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from mutualis.core import services
from mutualis.core.models import Organisation, OrgKind, User
from mutualis.core.roles import Role

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """argon2 is right in production and slow in tests; the argon2 test opts back in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def root_user(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@dataclass
class OrgTree:
    union: Organisation
    mutual: Organisation
    section_a: Organisation
    section_b: Organisation
    other_mutual: Organisation
    section_c: Organisation


@pytest.fixture
def org_tree(root_user) -> OrgTree:
    make = services.organisation_create
    union = make(actor=root_user, kind=OrgKind.UNION, name="Union de Thiès", code="UT")
    mutual = make(
        actor=root_user,
        kind=OrgKind.MUTUAL,
        name="Mutuelle And Fagaru",
        code="MAF",
        parent=union,
        currency="XOF",
    )
    a = make(actor=root_user, kind=OrgKind.SECTION, name="Section A", code="MAF-A", parent=mutual)
    b = make(actor=root_user, kind=OrgKind.SECTION, name="Section B", code="MAF-B", parent=mutual)
    other = make(
        actor=root_user, kind=OrgKind.MUTUAL, name="Mutuelle Jàmm", code="MJ", parent=union
    )
    c = make(actor=root_user, kind=OrgKind.SECTION, name="Section C", code="MJ-C", parent=other)
    return OrgTree(union, mutual, a, b, other, c)


@pytest.fixture
def make_user(root_user):
    def make(
        username: str, role: str, organisation: Organisation, provider=None, language: str = "fr"
    ) -> User:
        return services.user_create(
            actor=root_user,
            username=username,
            password=PASSWORD,
            first_name=username.title(),
            language=language,
            role=role,
            organisation=organisation,
            provider=provider,
        )

    return make


@pytest.fixture
def clerk_a(org_tree, make_user) -> User:
    return make_user("clerk_a", Role.CLERK, org_tree.section_a)


@pytest.fixture
def clerk_b(org_tree, make_user) -> User:
    return make_user("clerk_b", Role.CLERK, org_tree.section_b)


@pytest.fixture
def manager(org_tree, make_user) -> User:
    return make_user("manager", Role.MANAGER, org_tree.mutual)


@pytest.fixture
def auditor(org_tree, make_user) -> User:
    return make_user("auditor", Role.AUDITOR, org_tree.union)


@pytest.fixture
def board_member(org_tree, make_user) -> User:
    return make_user("board", Role.BOARD, org_tree.mutual)


@pytest.fixture
def provider(org_tree):
    from mutualis.providers.models import Provider, ProviderKind

    return Provider.objects.create(
        organisation=org_tree.mutual,
        code="CS1",
        name="Centre de santé A",
        kind=ProviderKind.HEALTH_CENTRE,
    )


@pytest.fixture
def provider_agent(org_tree, make_user, provider) -> User:
    return make_user("agent", Role.PROVIDER_AGENT, org_tree.mutual, provider=provider)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    return client_for


@pytest.fixture
def api_client_for():
    """A test client sending `Authorization: Bearer <token>` for the given user."""

    def make(user: User) -> Client:
        _token, key = services.api_token_create(actor=user, user=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def query_plan(db):
    """plan(sql, params): the plan the database runs `sql` by, as text. On PostgreSQL,
    the generic plan a prepared statement falls back to (it knows no parameter
    value: a partial index is used only if the query's own text implies its
    condition); on SQLite, EXPLAIN QUERY PLAN."""
    from django.db import connection, transaction

    def plan(sql: str, params) -> str:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                for i in range(1, len(params) + 1):
                    sql = sql.replace("%s", f"${i}", 1)
                name = f"plan_{uuid.uuid4().hex}"  # a failed test leaves no name taken
                cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                cur.execute(f"PREPARE {name} AS {sql}")
                marks = ", ".join(["%s"] * len(params))
                cur.execute(connection.ops.compose_sql(f"EXPLAIN EXECUTE {name} ({marks})", params))
                rows = cur.fetchall()
                cur.execute(f"DEALLOCATE {name}")
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                rows = cur.fetchall()
            return "\n".join(str(row[-1]) for row in rows)

    return plan

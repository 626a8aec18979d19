"""core.rows: the lean writers of the hot request paths store exactly what the ORM
would (values, defaults, history row, links), on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest

from mutualis.core import rows
from mutualis.core.audit import acting_as
from mutualis.core.models import AuditEvent, Organisation, OrgKind, Sequence


@pytest.mark.django_db
def test_insert_sets_keys_defaults_and_auto_dates(root_user):
    events = [
        rows.new(AuditEvent, {"actor": root_user}, action="test.one", data={"n": 1}),
        rows.new(AuditEvent, action="test.two"),
    ]

    rows.insert(events)

    stored = {e.action: e for e in AuditEvent.objects.filter(action__startswith="test.")}
    assert [e.pk for e in events] == [stored["test.one"].pk, stored["test.two"].pk]
    assert stored["test.one"].actor_id == root_user.pk
    assert stored["test.one"].data == {"n": 1}
    assert stored["test.two"].data == {}  # the field's default
    assert stored["test.two"].at is not None  # auto_now_add
    assert events[0].actor is root_user  # the relation is kept, no query


@pytest.mark.django_db
def test_insert_family_writes_parent_history_children_and_extra_in_one_go(
    root_user, org_tree, django_assert_max_num_queries
):
    from django.db import connection

    counter = Sequence.objects.create(key="rows-test", value=5)
    org = rows.new(
        Organisation,
        {"parent": org_tree.mutual},
        kind=OrgKind.SECTION,
        name="Section D",
        code="MAF-D",
        path="",
    )
    by_fk = [rows.new(AuditEvent, action="test.fk"), rows.new(AuditEvent, action="test.fk")]
    by_text = [rows.new(AuditEvent, action="test.text", target_type="core.organisation")]
    bump = ("UPDATE core_sequence SET value = value + %s WHERE key = %s", [Decimal(2), "rows-test"])

    expected = 1 if connection.vendor == "postgresql" else 6
    with acting_as(root_user), django_assert_max_num_queries(expected):
        rows.insert_family(
            org,
            [("organisation_id", by_fk), ("target_id", by_text)],
            history=True,
            also=[bump],
        )

    stored = Organisation.objects.get(code="MAF-D")
    assert org.pk == stored.pk and stored.parent_id == org_tree.mutual.pk
    assert stored.country == "SN"  # default
    history = list(stored.history.all())
    assert [(h.history_type, h.history_user_id, h.name) for h in history] == [
        ("+", root_user.pk, "Section D")
    ]
    assert AuditEvent.objects.filter(action="test.fk", organisation=stored).count() == 2
    linked = AuditEvent.objects.get(action="test.text")
    assert linked.target_id == str(stored.pk) and linked.organisation_id is None
    assert [e.organisation_id for e in by_fk] == [stored.pk, stored.pk]
    assert by_text[0].target_id == str(stored.pk)
    counter.refresh_from_db()
    assert counter.value == 7


@pytest.mark.django_db
def test_insert_family_is_atomic_with_its_transaction(org_tree):
    from django.db import IntegrityError, transaction

    duplicate = rows.new(
        Organisation, {"parent": org_tree.mutual}, kind=OrgKind.SECTION, name="X", code="MAF-A"
    )
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert_family(duplicate, [("organisation_id", [rows.new(AuditEvent, action="x")])])
    assert AuditEvent.objects.count() == before
    assert Organisation.objects.filter(code="MAF-A").count() == 1


@pytest.mark.django_db
def test_get_and_loaded_read_partial_rows(org_tree):
    found = rows.get(Organisation, "code", "MAF-A")
    assert found.pk == org_tree.section_a.pk and found.name == "Section A"
    assert found.path == org_tree.section_a.path
    assert rows.get(Organisation, "code", "nope") is None

    partial = rows.loaded(Organisation, id=org_tree.section_a.pk, name="Section A")
    assert partial.name == "Section A"
    assert partial.code == "MAF-A"  # deferred: read from the database when touched


@pytest.mark.django_db
def test_prefetched_rows_answer_the_relation_without_a_query(org_tree, django_assert_num_queries):
    children = [org_tree.section_a, org_tree.section_b]

    rows.prefetched(org_tree.mutual, "children", children)

    with django_assert_num_queries(0):
        assert list(org_tree.mutual.children.all()) == children
        assert len(org_tree.mutual.children.all()) == 2
    # A further query is still narrowed to the relation.
    assert org_tree.mutual.children.get(code="MAF-A") == org_tree.section_a
    assert org_tree.mutual.children.filter(code="nope").count() == 0
    assert (
        not Organisation.objects.filter(pk=org_tree.union.pk)
        .filter(pk__in=org_tree.mutual.children.values("pk"))
        .exists()
    )
    # Another instance of the same row still reads from the database.
    fresh = Organisation.objects.get(pk=org_tree.mutual.pk)
    assert set(fresh.children.all()) >= set(children)

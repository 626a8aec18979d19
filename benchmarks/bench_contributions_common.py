"""Shared set-up of the contributions benchmarks (no `main`: `make bench` skips it).

Creates a throw-away test database (never touches the configured one), seeds a
mutual with N members in households of about four by COPY (PostgreSQL) or bulk
insert, and offers best-of-N timing.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from decimal import Decimal


def django_setup() -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks-only")
    import django

    django.setup()


@contextmanager
def test_database():
    """A fresh test database, migrated, destroyed at the end."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old = connection.settings_dict["NAME"]
    # Not test_<name>: a test run on the same database must not collide with it.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)
        teardown_test_environment()


def best_of(runs: int, fn: Callable[[], object], before: Callable[[], object] | None = None):
    """Best wall time of `runs` calls (after `before` each time, untimed)."""
    best, result = float("inf"), None
    for _ in range(runs):
        if before is not None:
            before()
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def copy_rows(connection, table: str, columns: tuple[str, ...], rows) -> None:
    """COPY rows into `table` (PostgreSQL) or executemany (SQLite)."""
    cols = ", ".join(columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))  # noqa: S608 (fixed names)


def seed(n_members: int, *, seed: int = 2026):
    """A mutual with one section and `n_members` members in households of 1–7.

    Returns (mutual, section, manager, households, member_numbers).
    """
    from django.db import connection
    from django.utils import timezone

    from mutualis.core.models import Organisation, OrgKind, RoleAssignment, User
    from mutualis.core.roles import Role

    rng = random.Random(seed)
    mutual = Organisation.objects.create(kind=OrgKind.MUTUAL, name="Bench", code="BENCH")
    mutual.path = f"/{mutual.pk}/"
    mutual.save(update_fields=["path"])
    section = Organisation.objects.create(
        kind=OrgKind.SECTION, name="Bench S", code="BENCH-S", parent=mutual
    )
    section.path = f"{mutual.path}{section.pk}/"
    section.depth = 1
    section.save(update_fields=["path", "depth"])
    manager = User.objects.create(username="bench-manager")
    RoleAssignment.objects.create(user=manager, role=Role.MANAGER, organisation=mutual)

    now = timezone.now()
    sizes = []
    left = n_members
    while left > 0:
        size = min(left, rng.choice((1, 2, 3, 4, 4, 5, 6, 7)))
        sizes.append(size)
        left -= size
    n_households = len(sizes)
    categories = ["informal"] * 8 + ["formal", "indigent"]
    copy_rows(
        connection,
        "members_household",
        (
            "mutual_id",
            "section_id",
            "number",
            "locality",
            "address",
            "income_band",
            "external_id",
            "created_at",
        ),
        ((mutual.pk, section.pk, f"H{i:08d}", "", "", "", "", now) for i in range(n_households)),
    )
    from mutualis.members.models import Household

    first_hh = (
        Household.objects.filter(mutual=mutual).order_by("pk").values_list("pk", flat=True)[0]
    )
    copy_rows(
        connection,
        "members_person",
        (
            "mutual_id",
            "first_name",
            "last_name",
            "sex",
            "birth_year",
            "national_id",
            "phone",
            "locality",
            "address",
            "normalised_name",
            "external_id",
            "created_at",
        ),
        (
            (
                mutual.pk,
                "A",
                f"P{i}",
                "FM"[i % 2],
                1950 + i % 70,
                "",
                f"+22170{i % 900000:07d}",
                "",
                "",
                f"a p{i}",
                "",
                now,
            )
            for i in range(n_members)
        ),
    )
    from mutualis.members.models import Person

    first_person = (
        Person.objects.filter(mutual=mutual).order_by("pk").values_list("pk", flat=True)[0]
    )

    def memberships():
        person = 0
        for h, size in enumerate(sizes):
            category = categories[h % len(categories)]
            for k in range(size):
                yield (
                    first_person + person,
                    first_hh + h,
                    mutual.pk,
                    section.pk,
                    f"B{person:09d}",
                    "head" if k == 0 else "child",
                    category,
                    k == 0,
                    "active",
                    date(2025, 1, 1),
                    now,
                )
                person += 1

    copy_rows(
        connection,
        "members_membership",
        (
            "person_id",
            "household_id",
            "mutual_id",
            "section_id",
            "number",
            "relationship",
            "category",
            "is_adherent",
            "status",
            "joined_on",
            "created_at",
        ),
        memberships(),
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
    return mutual, section, manager, n_households


def make_schedule(mutual, manager):
    from mutualis.contributions import services
    from mutualis.contributions.models import PayerKind

    schedule = services.schedule_save(
        actor=manager,
        mutual=mutual,
        data={
            "name": "CMU",
            "kind": "per_beneficiary_capped",
            "period": "yearly",
            "amount": Decimal(7000),
            "household_cap": Decimal(35000),
            "registration_fee": Decimal(1000),
            "membership_fee": Decimal(500),
            "pro_rata": "by_month",
        },
    )
    state = services.payer_create(
        actor=manager, mutual=mutual, code="STATE", name="State", kind=PayerKind.STATE
    )
    services.subsidy_add(
        actor=manager, schedule=schedule, payer=state, share=Decimal(1), category="indigent"
    )
    services.subsidy_add(actor=manager, schedule=schedule, payer=state, share=Decimal("0.5"))
    return schedule

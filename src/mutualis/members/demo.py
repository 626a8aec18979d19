"""Demo register of "Mutuelle de santé And Fagaru" (called by `mutualis demo`).

~2,000 households (≈10,000 persons) through the bulk import path, a group
contract (a cooperative of market gardeners), the basic package "Paquet de
base" (code BASE) with a 2026 coverage period for every household, some
households suspended for arrears or resigned, and a member account `adherent`
linked to a household head. Set-based writes only, so `make run` stays fast.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F

from mutualis.core.models import RoleAssignment, User
from mutualis.core.roles import Role

from .importer import import_frame
from .models import (
    CoveragePeriod,
    CoverageStatus,
    Group,
    GroupKind,
    Household,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
    Person,
)
from .synthetic import generate_frame

YEAR_START = date(2026, 1, 1)
YEAR_END = date(2026, 12, 31)
SUSPENDED_ON = date(2026, 4, 1)
RESIGNED_ON = date(2026, 2, 15)


def load(ctx) -> None:
    from mutualis.benefits.models import Package, PackageKind

    mutual = ctx.mutual
    manager = ctx.users["gerant"]
    package = Package.objects.filter(mutual=mutual, code="BASE").first()
    if package is None:
        package = Package.objects.create(
            mutual=mutual,
            code="BASE",
            name="Paquet de base",
            kind=PackageKind.BASIC,
            description="Soins primaires, maternité, médicaments essentiels, hospitalisation.",
        )
    frame = generate_frame(
        households=int(ctx.extra.get("households", 2000)),
        seed=ctx.seed,
        sections=[s.code for s in ctx.sections],
        on=date(2025, 12, 31),
        prefix="DEMO",
    )
    import_frame(actor=manager, mutual=mutual, frame=frame, on=date(2025, 12, 31), file_name="demo")
    with transaction.atomic():
        group = Group.objects.create(
            mutual=mutual,
            name="Coopérative des maraîchers de Pout",
            kind=GroupKind.COOPERATIVE,
            contact_name="Ibrahima Sarr",
            phone="+221776543210",
            contract_reference="CG-2026-001",
        )
        ids = list(
            Household.objects.filter(mutual=mutual).order_by("id").values_list("id", flat=True)
        )
        pout = ctx.sections[2]
        group_ids = list(
            Household.objects.filter(mutual=mutual, section=pout)
            .order_by("id")
            .values_list("id", flat=True)[:60]
        )
        Household.objects.filter(pk__in=group_ids).update(group=group)
        # Cover 2026 for everyone; a few households have not paid yet (idle).
        idle = set(ids[7::23])
        CoveragePeriod.objects.bulk_create(
            [
                CoveragePeriod(
                    household_id=h,
                    package=package,
                    enrolled_on=date(2025, 12, 1),
                    start_on=YEAR_START,
                    expiry_on=YEAR_END,
                    status=CoverageStatus.IDLE if h in idle else CoverageStatus.ACTIVE,
                )
                for h in ids
            ],
            batch_size=2000,
        )
        suspended = [h for h in ids[3::14] if h not in group_ids]
        resigned = [h for h in ids[5::37] if h not in group_ids and h not in suspended]
        _bulk_status(suspended, MembershipStatus.SUSPENDED, SUSPENDED_ON, "arrears")
        _bulk_status(resigned, MembershipStatus.RESIGNED, RESIGNED_ON, "resignation")
        _member_account(ctx, ids, suspended + resigned)
    ctx.extra["package"] = package
    ctx.extra["group"] = group


def _bulk_status(households: list[int], status: str, on: date, reason: str) -> None:
    members = list(
        Membership.objects.filter(household_id__in=households).values_list("id", flat=True)
    )
    MembershipStatusChange.objects.bulk_create(
        [
            MembershipStatusChange(membership_id=m, status=status, effective_on=on, reason=reason)
            for m in members
        ],
        batch_size=2000,
    )
    left = on if status == MembershipStatus.RESIGNED else None
    Membership.objects.filter(pk__in=members).update(status=status, left_on=left)


def _member_account(ctx, ids: list[int], excluded: list[int]) -> None:
    from mutualis.core.demo import DEMO_PASSWORD

    household = (
        Household.objects.filter(mutual=ctx.mutual, section=ctx.sections[0])
        .exclude(pk__in=excluded)
        .annotate(size=F("id"))
        .order_by("id")
        .first()
    )
    head = Person.objects.get(pk=household.head_id)
    user = User(
        username="adherent", first_name=head.first_name, last_name=head.last_name, language="fr"
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role=Role.MEMBER, organisation=ctx.mutual)
    Person.objects.filter(pk=head.pk).update(user=user)
    ctx.users["adherent"] = user
    ctx.logins.append(("adherent", str(Role.MEMBER.label), ctx.mutual.name))

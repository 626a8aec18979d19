"""The demo mutual loaded by `make run`: French-speaking, XOF, three sections.

The core part builds the organisation and one user per role; each app adds its
own demo data in `mutualis.<app>.demo.load(ctx)` (members, packages, claims…),
called in the order of DOMAIN_APPS. Deterministic: same data on every machine.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from .models import Organisation, OrgKind, RoleAssignment, User
from .roles import Role
from .services import organisation_place

DEMO_PASSWORD = "mutualis-demo-2026"
DEMO_USERS = [
    "gerant",
    "guichet1",
    "guichet2",
    "guichet3",
    "prestations",
    "medecin",
    "comptable",
    "president",
    "controleur",
    "agent.cs",
    "adherent",
]


@dataclass
class DemoContext:
    federation: Organisation
    mutual: Organisation
    sections: list[Organisation]
    users: dict[str, User]
    seed: int = 2026
    scale: int = 1
    extra: dict = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _org(kind, name, code, parent=None) -> Organisation:
    org = Organisation.objects.create(
        kind=kind,
        name=name,
        code=code,
        parent=parent,
        currency="XOF",
        country="SN",
        time_zone="Africa/Dakar",
    )
    organisation_place(org)
    return org


def _user(username, first, last, role, org, ctx: DemoContext, provider=None) -> User:
    user = User(username=username, first_name=first, last_name=last, language="fr")
    user.set_password(DEMO_PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role=role, organisation=org, provider=provider)
    ctx.users[username] = user
    ctx.logins.append((username, str(Role(role).label), org.name))
    return user


def is_loaded() -> bool:
    return Organisation.objects.filter(code="DEMO-MUT").exists()


@transaction.atomic
def load(*, households: int = 2000) -> DemoContext:
    from mutualis.providers.models import Provider, ProviderKind

    union = _org(OrgKind.UNION, "Union régionale des mutuelles de Thiès", "DEMO-UR")
    mutual = _org(OrgKind.MUTUAL, "Mutuelle de santé And Fagaru", "DEMO-MUT", union)
    sections = [
        _org(OrgKind.SECTION, "Section Thiès-Nord", "DEMO-S1", mutual),
        _org(OrgKind.SECTION, "Section Khombole", "DEMO-S2", mutual),
        _org(OrgKind.SECTION, "Section Pout", "DEMO-S3", mutual),
    ]
    centre = Provider.objects.create(
        organisation=mutual,
        code="DEMO-CS-THIES",
        name="Centre de santé de Thiès-Nord",
        kind=ProviderKind.HEALTH_CENTRE,
        level=1,
        locality="Thiès",
    )
    hospital = Provider.objects.create(
        organisation=mutual,
        code="DEMO-HR-THIES",
        name="Hôpital régional de Thiès",
        kind=ProviderKind.REGIONAL_HOSPITAL,
        level=3,
        locality="Thiès",
    )
    ctx = DemoContext(federation=union, mutual=mutual, sections=sections, users={})
    ctx.extra["providers"] = [centre, hospital]
    ctx.extra["households"] = households
    _user("gerant", "Awa", "Diop", Role.MANAGER, mutual, ctx)
    _user("guichet1", "Moussa", "Fall", Role.CLERK, sections[0], ctx)
    _user("guichet2", "Fatou", "Sarr", Role.CLERK, sections[1], ctx)
    _user("guichet3", "Ibrahima", "Ndiaye", Role.CLERK, sections[2], ctx)
    _user("prestations", "Mariama", "Ba", Role.CLAIMS_OFFICER, mutual, ctx)
    _user("medecin", "Dr Cheikh", "Sy", Role.MEDICAL_ADVISER, union, ctx)
    _user("comptable", "Aminata", "Kane", Role.ACCOUNTANT, mutual, ctx)
    _user("president", "Ousmane", "Gueye", Role.BOARD, mutual, ctx)
    _user("controleur", "Seynabou", "Faye", Role.AUDITOR, union, ctx)
    _user("agent.cs", "Khady", "Mbaye", Role.PROVIDER_AGENT, mutual, ctx, provider=centre)
    for app in settings.DOMAIN_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        if module.__name__ != __name__:
            module.load(ctx)
    _analyze()
    return ctx


def _analyze() -> None:
    """Give PostgreSQL the real table sizes once the demo is in: its first plans (and
    the statements a connection prepares) would otherwise assume empty tables."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

"""The governance demo loads with or without a member register."""

import os
from pathlib import Path

import pytest

from mutualis.core.demo import DemoContext
from mutualis.core.roles import Role
from mutualis.governance import demo, pdf
from mutualis.governance.models import Assembly, AssemblyStatus, Complaint, Mandate

from .conftest import make_registry

pytestmark = pytest.mark.django_db


def context(org_tree, make_user) -> DemoContext:
    users = {
        "gerant": make_user("gerant", Role.MANAGER, org_tree.mutual),
        "guichet1": make_user("guichet1", Role.CLERK, org_tree.section_a),
        "guichet2": make_user("guichet2", Role.CLERK, org_tree.section_b),
    }
    return DemoContext(
        federation=org_tree.union,
        mutual=org_tree.mutual,
        sections=[org_tree.section_a, org_tree.section_b],
        users=users,
    )


def test_without_members_the_demo_loads_statutes_a_coming_ga_and_complaints(org_tree, make_user):
    demo.load(context(org_tree, make_user))

    assert org_tree.mutual.positions.count() == 5
    assert Assembly.objects.get().status == AssemblyStatus.DRAFT
    assert Complaint.objects.count() == 2


def test_with_members_the_demo_has_a_past_ga_with_minutes_and_a_board(org_tree, make_user):
    make_registry(org_tree.mutual, [org_tree.section_a, org_tree.section_b], count=40)

    demo.load(context(org_tree, make_user))

    past = Assembly.objects.get(status=AssemblyStatus.CLOSED)
    assert past.resolutions.filter(adopted=True).count() == 2
    assert Mandate.objects.filter(position__title="Administrateur").count() == 6
    assert Mandate.objects.count() == 12
    minutes = pdf.minutes_pdf(past)
    assert minutes.startswith(b"%PDF")
    if out := os.environ.get("GOVERNANCE_PDF_DIR"):  # to look at it: pdftoppm -png
        Path(out).mkdir(parents=True, exist_ok=True)
        Path(out, "minutes.pdf").write_bytes(minutes)
        Path(out, "letters.pdf").write_bytes(pdf.letters_pdf(past, past.voters.all()[:2]))

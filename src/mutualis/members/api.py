"""Register endpoints: search beneficiaries, a household with its cover on a date,
the status and cover of one beneficiary on a date (for other apps and partners)."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from . import selectors
from .models import Membership

router = Router(tags=["members"])


class BeneficiaryOut(Schema):
    id: int
    number: str
    household_id: int
    household_number: str
    first_name: str
    last_name: str
    sex: str
    birth_year: int | None
    relationship: str
    category: str
    is_adherent: bool
    status: str
    section_id: int


class CoverOut(Schema):
    number: str
    name: str
    status: str | None
    covered: bool
    packages: list[str]


class HouseholdOut(Schema):
    id: int
    number: str
    section_id: int
    head: str
    on: date
    beneficiaries: list[CoverOut]


def _beneficiary(m: Membership) -> dict:
    return {
        "id": m.pk,
        "number": m.number,
        "household_id": m.household_id,
        "household_number": m.household.number,
        "first_name": m.person.first_name,
        "last_name": m.person.last_name,
        "sex": m.person.sex,
        "birth_year": m.person.birth_year,
        "relationship": m.relationship,
        "category": m.category,
        "is_adherent": m.is_adherent,
        "status": m.status,
        "section_id": m.section_id,
    }


@router.get("/members", response=list[BeneficiaryOut], summary="Search beneficiaries")
def search(request, q: str = "", page: int = 1):
    """By number (check digit verified), phone, or name in any order and accents; 50 a page."""
    rows, _more = selectors.member_search_page(
        user=request.auth, query=q, offset=(max(page, 1) - 1) * 50, limit=50
    )
    return [_beneficiary(m) for m in rows]


@router.get("/members/{number}", response=BeneficiaryOut)
def beneficiary(request, number: str):
    rows = list(selectors.member_search(user=request.auth, query=number)[:2])
    match = [m for m in rows if m.number == number.replace(" ", "")]
    if not match:
        from mutualis.core.errors import NotFound

        raise NotFound()
    return _beneficiary(match[0])


@router.get("/households/{household_id}", response=HouseholdOut)
def household(request, household_id: int, on: date):
    h = selectors.household_get(user=request.auth, household_id=household_id)
    return {
        "id": h.pk,
        "number": h.number,
        "section_id": h.section_id,
        "head": str(h.head) if h.head else "",
        "on": on,
        "beneficiaries": [
            {
                "number": c.membership.number,
                "name": str(c.membership.person),
                "status": c.status,
                "covered": c.covered,
                "packages": [p.package.code for p in c.periods],
            }
            for c in selectors.household_cover_on(h, on)
        ],
    }

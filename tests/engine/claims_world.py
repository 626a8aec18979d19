"""A small, valid world for claim and eligibility tests: plain dataclasses, fixed dates.

Defaults give a covered, paid-up member of an XOF mutual, a health centre
with a valid third-party-payment agreement and a basic package paying 80%.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from mutualis.engine.adjudication import Claim, ClaimContext, ClaimLine
from mutualis.engine.benefits import (
    Agreement,
    BenefitRule,
    CareType,
    CatalogueItem,
    Coverage,
    PackageKind,
    PackageVersion,
)
from mutualis.engine.eligibility import (
    Beneficiary,
    CoveragePeriod,
    DuesStanding,
    EligibilityFacts,
    MemberFacts,
    Sex,
)

TODAY = date(2025, 6, 30)
DAY = date(2025, 6, 2)

CATALOGUE = {
    c.code: c
    for c in (
        CatalogueItem("CONS", "consultation", D(2000)),
        CatalogueItem("PARA", "medicine", D(100)),
        CatalogueItem("GLASSES", "optics", D(30000), CareType.OUT_PATIENT),
        CatalogueItem("DELIVERY", "delivery", D(50000), CareType.IN_PATIENT),
        CatalogueItem("ADMIT", "admission", D(20000), CareType.IN_PATIENT),
        CatalogueItem("ANC", "antenatal", D(3000), CareType.OUT_PATIENT),
        CatalogueItem("XRAY", "imaging", D(15000)),
        CatalogueItem("LAB", "laboratory", D(2500)),
        CatalogueItem("SURGERY", "surgery", D(100000), CareType.IN_PATIENT),
    )
}

RULES = tuple(
    BenefitRule(cat, coverage=Coverage(rate=D("0.8")))
    for cat in ("consultation", "medicine", "laboratory", "imaging", "admission", "antenatal")
)


def package(*rules: BenefitRule, **kw) -> PackageVersion:
    """The basic package: 80% of the listed categories unless rules are given."""
    base = {
        "id": "BASIC-2024",
        "package_id": "BASIC",
        "name": "Basic package",
        "kind": PackageKind.BASIC,
        "effective_from": date(2024, 1, 1),
        "currency": "XOF",
        "rules": rules or RULES,
    }
    base.update(kw)
    return PackageVersion(**base)


def agreement(**kw) -> Agreement:
    base = {
        "provider_id": "HC1",
        "valid_from": date(2024, 1, 1),
        "tariffs": {code: item.reference_price for code, item in CATALOGUE.items()},
    }
    base.update(kw)
    return Agreement(**base)


def beneficiary(**kw) -> Beneficiary:
    base = {"id": "B1", "household_id": "H1", "sex": Sex.FEMALE, "born": date(1990, 5, 10)}
    base.update(kw)
    return Beneficiary(**base)


def member(ben: Beneficiary | None = None, *, coverage=None, dues=None) -> MemberFacts:
    return MemberFacts(
        ben or beneficiary(),
        coverage
        if coverage is not None
        else (CoveragePeriod("BASIC", date(2024, 1, 1), date(2025, 12, 31)),),
        dues or DuesStanding.paid(),
    )


def context(*, members=None, packages=None, agreements=None, **kw) -> ClaimContext:
    mem = members if members is not None else [member()]
    base = {
        "catalogue": CATALOGUE,
        "agreements": tuple(agreements) if agreements is not None else (agreement(),),
        "members": {m.beneficiary.id: m for m in mem},
        "packages": tuple(packages) if packages is not None else (package(),),
        "diagnoses": frozenset({"A09", "B50.9", "O80", "J06.9", "H52.4", "Z34.0"}),
        "today": TODAY,
        "submission_deadline_days": 90,
    }
    base.update(kw)
    return ClaimContext(**base)


def line(item: str = "CONS", quantity: int = 1, price=2000, on=None) -> ClaimLine:
    return ClaimLine(item, quantity, D(price), on)


def claim(*lines: ClaimLine, **kw) -> Claim:
    base = {
        "id": "C1",
        "beneficiary_id": "B1",
        "provider_id": "HC1",
        "start": DAY,
        "submitted": DAY,
        "lines": lines or (line(),),
        "diagnoses": ("A09",),
    }
    base.update(kw)
    return Claim(**base)


def facts(mem: MemberFacts | None = None, *, packages=None, consumption=()) -> EligibilityFacts:
    return EligibilityFacts(
        mem or member(),
        tuple(packages) if packages is not None else (package(),),
        CATALOGUE,
        tuple(consumption),
    )


def rule(category: str, **kw) -> BenefitRule:
    kw.setdefault("coverage", Coverage(rate=D("0.8")))
    return BenefitRule(category, **kw)



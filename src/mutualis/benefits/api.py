"""Benefits API: eligibility of a beneficiary (DOMAIN §5) and the packages in scope."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from . import selectors, services
from .presenters import answer_dict

router = Router(tags=["benefits"])


class ReasonOut(Schema):
    code: str
    message: str
    params: dict


class CoverageOut(Schema):
    rate: str | None = None
    member_rate: str | None = None
    fixed_copay: str | None = None
    currency: str


class RemainingOut(Schema):
    kind: str
    level: str
    scope: str
    window: str
    limit: str
    used: str
    remaining: str
    care_type: str
    unit: str | None = None
    label: str


class BeneficiaryOut(Schema):
    number: str
    name: str
    sex: str
    household_number: str
    category: str
    photo_url: str | None = None


class EligibilityOut(Schema):
    eligible: bool
    on: date
    reasons: list[ReasonOut]
    package: str | None = None
    coverage: CoverageOut | None = None
    remaining: list[RemainingOut]
    beneficiary: BeneficiaryOut
    item: str | None = None


@router.get(
    "/eligibility",
    response=EligibilityOut,
    summary="Is this beneficiary covered on this date (for this service, at this provider)?",
)
def eligibility(
    request,
    number: str,
    on: date,
    item: str | None = None,
    provider: int | None = None,
    referral: bool = False,
    authorisation: bool = False,
):
    answer = services.eligibility_check(
        actor=request.auth,
        number=number,
        on=on,
        item_code=item,
        provider_id=provider,
        referral=referral,
        authorisation=authorisation,
    )
    return answer_dict(answer, user=request.auth)


class PackageOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    mutual_id: int


@router.get("/packages", response=list[PackageOut])
def packages(request):
    return list(
        selectors.package_list(user=request.auth).values("id", "code", "name", "kind", "mutual_id")
    )

"""Prior authorisation (entente préalable): request, answer, and the claim's check."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.claims import facts
from mutualis.claims.authorisations import (
    AlreadyAnswered,
    authorisation_decide,
    authorisation_list,
    authorisation_request,
)
from mutualis.claims.models import AuthorisationStatus, ClaimStatus, ReviewSettings
from mutualis.claims.review import LineChoice, review_decide
from mutualis.core.errors import Forbidden, ValidationFailed
from mutualis.core.roles import Role
from mutualis.engine import benefits as eb
from mutualis.providers.models import NegotiatedTariff, Provider

from .conftest import claim_input

pytestmark = pytest.mark.django_db
D = Decimal
ASKED = date(2026, 3, 2)


@pytest.fixture
def imaging(world):
    """The package also covers imaging at 70 %, under prior authorisation only."""
    rules = (
        *world.version.rules,
        eb.BenefitRule("imaging", coverage=eb.Coverage(rate=D("0.7")), authorisation_required=True),
    )
    version = eb.PackageVersion(
        id="v1",
        package_id=world.version.package_id,
        name="Paquet de base",
        kind=world.version.kind,
        effective_from=world.version.effective_from,
        currency="XOF",
        rules=rules,
    )
    catalogue = {**world.catalogue, "XRAY": eb.CatalogueItem("XRAY", "imaging", D(15000))}
    NegotiatedTariff.objects.create(agreement=world.agreement, item_code="XRAY", price=D(15000))
    with facts.override_sources(
        packages=lambda ids: (version,),
        catalogue=lambda mutual_id, codes=None: {
            k: v for k, v in catalogue.items() if codes is None or k in codes
        },
    ):
        yield version


@pytest.fixture
def ask(imaging, provider, provider_agent):
    def do(card="1000017", **kw):
        return authorisation_request(
            actor=provider_agent,
            provider=provider,
            card_number=card,
            items=kw.pop("items", ["xray"]),
            planned_on=kw.pop("planned_on", date(2026, 3, 5)),
            justification=kw.pop("justification", "Suspicion de fracture."),
            today=ASKED,
        )

    return do


def xray_claim(submit, reference, card="1000017", start=date(2026, 3, 10)):
    return submit(
        claim_input(card, lines=[("XRAY", 1, 15000)], start=start, authorisation=reference)
    )


def test_an_agent_asks_and_the_answer_is_due_within_the_mutuals_deadline(ask, org_tree):
    ReviewSettings.objects.create(mutual=org_tree.mutual, authorisation_days=3)

    pa = ask()

    assert pa.status == AuthorisationStatus.REQUESTED
    assert pa.items == ["XRAY"]
    assert pa.due_on == date(2026, 3, 5)
    assert pa.reference == ""


def test_a_request_needs_known_items_and_a_justification(ask):
    with pytest.raises(ValidationFailed) as caught:
        ask(items=["SCAN"], justification=" ")

    assert set(caught.value.fields) == {"items", "justification"}


def test_an_approved_authorisation_lets_the_claim_through(ask, submit, medical_adviser):
    pa = authorisation_decide(actor=medical_adviser, authorisation=ask(), approve=True)

    claim = xray_claim(submit, pa.reference)

    assert pa.reference.startswith("EP-")
    assert pa.valid_until == date(2026, 4, 4)  # 30 days after the planned date
    line = claim.lines.get()
    assert claim.status == ClaimStatus.ACCEPTED
    assert line.mutual_share == D(10500)


def test_without_a_valid_authorisation_the_line_is_rejected(ask, submit, medical_adviser):
    claim = xray_claim(submit, "EP-404")

    reason = claim.lines.get().reasons[0]
    assert claim.status == ClaimStatus.REJECTED
    assert reason == {"code": "referral_missing", "params": {"document": "authorisation"}}


def test_a_refused_authorisation_does_not_authorise(ask, submit, medical_adviser):
    with pytest.raises(ValidationFailed):
        authorisation_decide(actor=medical_adviser, authorisation=ask(), approve=False)
    pa = ask()
    pa = authorisation_decide(
        actor=medical_adviser, authorisation=pa, approve=False, answer="Pas indiqué."
    )

    assert pa.reference == ""
    assert xray_claim(submit, f"#{pa.pk}").status == ClaimStatus.REJECTED


def test_an_expired_authorisation_does_not_authorise(ask, submit, medical_adviser):
    pa = authorisation_decide(
        actor=medical_adviser, authorisation=ask(), approve=True, valid_until=date(2026, 3, 6)
    )

    assert xray_claim(submit, pa.reference).status == ClaimStatus.REJECTED
    assert xray_claim(submit, pa.reference, start=date(2026, 3, 6)).status == "accepted"


def test_an_authorisation_of_another_beneficiary_does_not_authorise(ask, submit, medical_adviser):
    pa = authorisation_decide(actor=medical_adviser, authorisation=ask(), approve=True)

    assert xray_claim(submit, pa.reference, card="1000025").status == ClaimStatus.REJECTED


def test_an_authorisation_given_to_another_provider_does_not_authorise(
    ask, org_tree, medical_adviser, world, root_user
):
    from mutualis.claims.services import claim_submit
    from mutualis.providers.models import Agreement

    pa = authorisation_decide(actor=medical_adviser, authorisation=ask(), approve=True)
    other = Provider.objects.create(
        organisation=org_tree.mutual, code="H1", name="Hôpital", kind="district_hospital"
    )
    agreement = Agreement.objects.create(provider=other, reference="H", valid_from=date(2026, 1, 1))
    NegotiatedTariff.objects.create(agreement=agreement, item_code="XRAY", price=D(15000))

    claim = claim_submit(
        actor=root_user,
        provider=other,
        data=claim_input(lines=[("XRAY", 1, 15000)], authorisation=pa.reference),
        today=date(2026, 3, 16),
    )

    assert claim.status == ClaimStatus.REJECTED


def test_an_answer_is_given_once_by_a_medical_adviser_only(
    ask, medical_adviser, provider_agent, claims_officer
):
    pa = ask()

    with pytest.raises(Forbidden):
        authorisation_decide(actor=claims_officer, authorisation=pa, approve=True)
    authorisation_decide(actor=medical_adviser, authorisation=pa, approve=True)
    with pytest.raises(AlreadyAnswered):
        authorisation_decide(actor=medical_adviser, authorisation=pa, approve=False, answer="x")


def test_an_agent_sees_only_the_own_providers_requests(ask, org_tree, make_user, medical_adviser):
    pa = ask()
    other = Provider.objects.create(
        organisation=org_tree.mutual, code="H2", name="Hôpital", kind="district_hospital"
    )
    agent2 = make_user("agent2", Role.PROVIDER_AGENT, org_tree.mutual, provider=other)

    assert list(authorisation_list(user=agent2)) == []
    assert list(authorisation_list(user=medical_adviser)) == [pa]


def test_an_appeal_on_a_line_rejected_for_lack_of_authorisation_can_be_upheld(
    submit, imaging, provider_agent, medical_adviser
):
    from mutualis.claims.services import line_appeal

    claim = submit(
        claim_input(lines=[("CONS", 1, 2000), ("XRAY", 1, 15000)], authorisation="EP-404")
    )
    xray = claim.lines.get(position=1)
    line_appeal(actor=provider_agent, line=xray, reason="Urgence, accord téléphonique.")

    review_decide(
        actor=medical_adviser, claim=claim, choices=[LineChoice(1, "accept", note="urgence")]
    )

    xray.refresh_from_db()
    assert (xray.status, xray.accepted, xray.mutual_share) == ("accepted", D(15000), D(10500))
    assert xray.reasons == []

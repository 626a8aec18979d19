"""Eligibility at a date and for a service (DOMAIN §5 "Eligibility", §7 codes)."""

from datetime import date
from decimal import Decimal as D

from claims_world import agreement, beneficiary, facts, member, package, rule

from mutualis.engine.benefits import (
    Applicability,
    BenefitRule,
    CareType,
    Ceiling,
    CountLimit,
    CountUnit,
    Coverage,
    PackageKind,
    Scope,
    Sex,
    Window,
)
from mutualis.engine.eligibility import (
    CoveragePeriod,
    CoverStatus,
    DuesStanding,
    MembershipStatus,
    ServiceRequest,
    check_eligibility,
)
from mutualis.engine.limits import Consumption
from mutualis.engine.reasons import Reason, ReasonCode

ON = date(2025, 6, 2)


def codes(decision) -> list[str]:
    return [r.code.value for r in decision.reasons]


def used(item="CONS", category="consultation", *, on=date(2025, 3, 1), quantity=1, mutual=0,
         claim="OLD", beneficiary_id="B1", household_id="H1") -> Consumption:
    return Consumption(claim, beneficiary_id, household_id, "BASIC", category, item, on,
                       quantity, CareType.OUT_PATIENT, claim, D(mutual), D(mutual))


def test_paid_up_member_with_active_cover_is_eligible():
    decision = check_eligibility(facts=facts(), on=ON)

    assert decision.eligible
    assert decision.reasons == ()


def test_package_ceilings_left_are_shown():
    pkg = package(ceilings=(Ceiling(Scope.BENEFICIARY, D(100000)),))

    decision = check_eligibility(
        facts=facts(packages=[pkg], consumption=[used(mutual=30000)]), on=ON
    )

    assert decision.eligible
    assert [(x.kind, x.limit, x.remaining) for x in decision.remaining] == [
        ("ceiling", D(100000), D(70000))
    ]


def test_resigned_person_is_not_a_member_after_resigning_only():
    ben = beneficiary(status=MembershipStatus.RESIGNED, status_since=date(2025, 5, 1))

    after = check_eligibility(facts=facts(member(ben)), on=ON)
    before = check_eligibility(facts=facts(member(ben)), on=date(2025, 4, 30))

    assert after.reasons == (Reason(ReasonCode.NOT_A_MEMBER, {"membership": "resigned"}),)
    assert before.eligible


def test_suspended_membership_is_not_covered():
    ben = beneficiary(status=MembershipStatus.SUSPENDED)

    decision = check_eligibility(facts=facts(member(ben)), on=ON)

    assert codes(decision) == ["not_covered"]


def test_without_an_active_coverage_period_the_beneficiary_is_not_covered():
    ended = CoveragePeriod("BASIC", date(2024, 1, 1), date(2024, 12, 31))
    idle = CoveragePeriod("BASIC", date(2025, 1, 1), date(2025, 12, 31), CoverStatus.IDLE)

    decision = check_eligibility(facts=facts(member(coverage=(ended, idle))), on=ON)

    assert decision.reasons == (
        Reason(ReasonCode.NOT_COVERED, {"cover": "none", "cover_ended": date(2024, 12, 31)}),
    )


def test_arrears_suspend_cover_from_their_date():
    dues = DuesStanding.arrears(date(2025, 5, 1))

    decision = check_eligibility(facts=facts(member(dues=dues)), on=ON)
    earlier = check_eligibility(facts=facts(member(dues=dues)), on=date(2025, 4, 30))

    assert decision.reasons == (
        Reason(ReasonCode.NOT_COVERED, {"arrears_since": date(2025, 5, 1)}),
    )
    assert earlier.eligible


def test_grace_period_keeps_cover_until_its_last_day():
    dues = DuesStanding.grace(date(2025, 5, 1), until=date(2025, 6, 2))

    last_day = check_eligibility(facts=facts(member(dues=dues)), on=ON)
    next_day = check_eligibility(facts=facts(member(dues=dues)), on=date(2025, 6, 3))

    assert last_day.eligible
    assert next_day.reasons == (
        Reason(ReasonCode.NOT_COVERED, {"arrears_since": date(2025, 6, 3)}),
    )


def test_every_reason_is_given_when_the_answer_is_no():
    pkg = package(rule("surgery", waiting_days=9999, referral_required=True,
                       authorisation_required=True))
    dues = DuesStanding.arrears(date(2025, 1, 1))
    service = ServiceRequest("SURGERY", care_type=CareType.IN_PATIENT)

    decision = check_eligibility(
        facts=facts(member(dues=dues), packages=[pkg]), on=ON, service=service,
        provider=agreement(valid_to=date(2025, 1, 1)),
    )

    assert not decision.eligible
    assert codes(decision) == [
        "not_covered", "agreement_invalid", "waiting_period", "referral_missing",
        "referral_missing",
    ]


def test_unknown_service_is_an_unknown_item():
    decision = check_eligibility(facts=facts(), on=ON, service=ServiceRequest("NOPE"))

    assert decision.reasons == (Reason(ReasonCode.UNKNOWN_ITEM, {"item": "NOPE"}),)


def test_category_absent_or_excluded_is_not_in_package():
    pkg = package(rule("consultation"), BenefitRule("optics", covered=False))

    glasses = check_eligibility(facts=facts(packages=[pkg]), on=ON,
                                service=ServiceRequest("GLASSES"))
    xray = check_eligibility(facts=facts(packages=[pkg]), on=ON, service=ServiceRequest("XRAY"))

    assert codes(glasses) == ["not_in_package"]
    assert xray.reasons[0].params == {"item": "XRAY", "category": "imaging",
                                      "packages": ("BASIC",)}


def test_item_rule_overrides_its_category_rule():
    pkg = package(BenefitRule("medicine", covered=False),
                  rule("medicine", item="PARA", coverage=Coverage(rate=D("0.5"))))

    para = check_eligibility(facts=facts(packages=[pkg]), on=ON, service=ServiceRequest("PARA"))

    assert para.eligible
    assert para.coverage == Coverage(rate=D("0.5"))


def test_complementary_package_pays_what_the_basic_excludes():
    basic = package(rule("consultation"))
    extra = package(rule("optics", coverage=Coverage(rate=D("0.6"))), id="OPT-1",
                    package_id="OPTICS", kind=PackageKind.COMPLEMENTARY)
    cover = (CoveragePeriod("BASIC", date(2024, 1, 1), date(2025, 12, 31)),
             CoveragePeriod("OPTICS", date(2024, 1, 1), date(2025, 12, 31)))

    decision = check_eligibility(facts=facts(member(coverage=cover), packages=[basic, extra]),
                                 on=ON, service=ServiceRequest("GLASSES"))

    assert decision.eligible
    assert decision.package_id == "OPTICS"


def test_waiting_period_counts_from_the_start_of_cover():
    pkg = package(rule("antenatal", waiting_days=270))
    cover = (CoveragePeriod("BASIC", date(2025, 1, 1), date(2025, 12, 31)),)

    decision = check_eligibility(facts=facts(member(coverage=cover), packages=[pkg]), on=ON,
                                 service=ServiceRequest("ANC"))

    assert decision.reasons == (Reason(ReasonCode.WAITING_PERIOD, {"until": date(2025, 9, 27)}),)


def test_renewal_without_gap_does_not_restart_the_waiting_period():
    pkg = package(rule("antenatal", waiting_days=270))
    renewed = (CoveragePeriod("BASIC", date(2024, 1, 1), date(2024, 12, 31)),
               CoveragePeriod("BASIC", date(2025, 1, 1), date(2025, 12, 31)))
    gap = (CoveragePeriod("BASIC", date(2024, 1, 1), date(2024, 11, 30)),
           CoveragePeriod("BASIC", date(2025, 1, 1), date(2025, 12, 31)))

    ok = check_eligibility(facts=facts(member(coverage=renewed), packages=[pkg]), on=ON,
                           service=ServiceRequest("ANC"))
    restarted = check_eligibility(facts=facts(member(coverage=gap), packages=[pkg]), on=ON,
                                  service=ServiceRequest("ANC"))

    assert ok.eligible
    assert codes(restarted) == ["waiting_period"]


def test_referral_and_prior_authorisation_must_be_presented():
    pkg = package(rule("admission", referral_required=True, authorisation_required=True))
    service = ServiceRequest("ADMIT", care_type=CareType.IN_PATIENT, referral=True)

    decision = check_eligibility(facts=facts(packages=[pkg]), on=ON, service=service)

    assert decision.reasons == (
        Reason(ReasonCode.REFERRAL_MISSING, {"document": "authorisation"}),
    )


def test_delivery_is_clinically_valid_for_women_only():
    pkg = package(rule("delivery", applicability=Applicability(sex=Sex.FEMALE)))
    service = ServiceRequest("DELIVERY", care_type=CareType.IN_PATIENT)

    woman = check_eligibility(facts=facts(packages=[pkg]), on=ON, service=service)
    man = check_eligibility(facts=facts(member(beneficiary(sex=Sex.MALE)), packages=[pkg]),
                            on=ON, service=service)

    assert woman.eligible
    assert codes(man) == ["clinical_applicability"]


def test_year_only_birth_date_gives_the_benefit_of_the_doubt_on_age():
    pkg = package(rule("antenatal", applicability=Applicability(min_age=12, max_age=49)))
    born_1976 = beneficiary(born=date(1976, 1, 1), born_year_only=True)  # 48 or 49 in 2025
    born_1975 = beneficiary(born=date(1975, 1, 1), born_year_only=True)  # 49 or 50

    maybe = check_eligibility(facts=facts(member(born_1976), packages=[pkg]), on=ON,
                              service=ServiceRequest("ANC"))
    doubt = check_eligibility(facts=facts(member(born_1975), packages=[pkg]), on=ON,
                              service=ServiceRequest("ANC"))
    too_old = check_eligibility(facts=facts(member(born_1975), packages=[pkg]),
                                on=date(2025, 12, 31), service=ServiceRequest("ANC"))

    assert maybe.eligible and doubt.eligible
    assert codes(too_old) == ["clinical_applicability"]


def test_in_patient_item_asked_as_out_patient_is_a_care_type_error():
    pkg = package(rule("delivery"), rule("imaging", care_type=CareType.IN_PATIENT))

    delivery = check_eligibility(facts=facts(packages=[pkg]), on=ON,
                                 service=ServiceRequest("DELIVERY"))
    xray = check_eligibility(facts=facts(packages=[pkg]), on=ON, service=ServiceRequest("XRAY"))

    assert delivery.reasons[0].params["source"] == "catalogue"
    assert xray.reasons[0].params["source"] == "package"


def test_exhausted_count_limit_and_frequency_are_reasons():
    pkg = package(
        rule("consultation", count_limits=(CountLimit(2, unit=CountUnit.VISITS),)),
        rule("optics", frequency=CountLimit(1, Window.rolling(730))),
    )
    history = [used(claim="A"), used(claim="B"),
               used("GLASSES", "optics", on=date(2024, 1, 10), claim="G")]

    cons = check_eligibility(facts=facts(packages=[pkg], consumption=history), on=ON,
                             service=ServiceRequest("CONS"))
    glasses = check_eligibility(facts=facts(packages=[pkg], consumption=history), on=ON,
                                service=ServiceRequest("GLASSES"))

    assert codes(cons) == ["count_limit"]
    assert cons.reasons[0].params["left"] == 0
    assert codes(glasses) == ["frequency"]


def test_spent_ceiling_is_a_reason_and_remaining_is_zero():
    pkg = package(rule("laboratory", ceilings=(Ceiling(Scope.BENEFICIARY, D(5000)),)))
    history = [used("LAB", "laboratory", mutual=5000)]

    decision = check_eligibility(facts=facts(packages=[pkg], consumption=history), on=ON,
                                 service=ServiceRequest("LAB"))

    assert codes(decision) == ["ceiling_reached"]
    assert decision.remaining[0].remaining == 0


def test_household_ceiling_counts_every_member_of_the_household():
    pkg = package(ceilings=(Ceiling(Scope.HOUSEHOLD, D(10000)),))
    history = [used(mutual=6000, beneficiary_id="B2"), used(mutual=4000, beneficiary_id="B3")]

    decision = check_eligibility(facts=facts(packages=[pkg], consumption=history), on=ON,
                                 service=ServiceRequest("CONS"))

    assert codes(decision) == ["ceiling_reached"]


def test_indigents_get_their_category_coverage():
    pkg = package(rule("consultation", coverage=Coverage(fixed_copay=D(200)),
                       by_member_category={"indigent": Coverage.exempt()}))

    informal = check_eligibility(facts=facts(packages=[pkg]), on=ON,
                                 service=ServiceRequest("CONS"))
    indigent = check_eligibility(
        facts=facts(member(beneficiary(category="indigent")), packages=[pkg]), on=ON,
        service=ServiceRequest("CONS"),
    )

    assert informal.coverage == Coverage(fixed_copay=D(200))
    assert indigent.coverage == Coverage(rate=D(1))


def test_provider_must_list_the_service_in_its_valid_agreement():
    narrow = agreement(tariffs={"CONS": D(2000)})

    decision = check_eligibility(facts=facts(), on=ON, service=ServiceRequest("LAB"),
                                 provider=narrow)

    assert decision.reasons == (
        Reason(ReasonCode.NOT_IN_PRICE_LIST, {"item": "LAB", "provider": "HC1"}),
    )


def test_the_version_in_force_at_the_date_applies():
    v1 = package(rule("consultation", coverage=Coverage(rate=D("0.8"))))
    v2 = package(rule("consultation", coverage=Coverage(rate=D("0.9"))), id="BASIC-2025",
                 effective_from=date(2025, 6, 1))

    before = check_eligibility(facts=facts(packages=[v2, v1]), on=date(2025, 5, 31),
                               service=ServiceRequest("CONS"))
    after = check_eligibility(facts=facts(packages=[v2, v1]), on=ON,
                              service=ServiceRequest("CONS"))

    assert before.coverage.rate == D("0.8")
    assert after.coverage.rate == D("0.9")

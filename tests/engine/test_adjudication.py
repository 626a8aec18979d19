"""Claim adjudication: every DOMAIN §7 code, the pricing order, and batch invariants."""

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

from claims_world import (
    DAY,
    agreement,
    beneficiary,
    claim,
    context,
    line,
    member,
    package,
    rule,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualis.engine.adjudication import (
    LineStatus,
    Payee,
    adjudicate_claim,
    adjudicate_many,
)
from mutualis.engine.benefits import (
    Applicability,
    BenefitRule,
    CareType,
    Ceiling,
    CountLimit,
    CountUnit,
    Coverage,
    Deductible,
    FlatBasis,
    FlatRate,
    Scope,
    Sex,
    Window,
)
from mutualis.engine.eligibility import CoveragePeriod, DuesStanding, MembershipStatus
from mutualis.engine.limits import Consumption
from mutualis.engine.reasons import NoteCode, Reason, ReasonCode


def codes(decision, i=0) -> list[str]:
    return [r.code.value for r in decision.lines[i].reasons]


def shares(decision, i=0) -> tuple[D, D, D]:
    ln = decision.lines[i]
    return ln.accepted, ln.mutual_share, ln.member_share


# --- reason codes -----------------------------------------------------------------


def test_covered_consultation_is_accepted_at_80_percent():
    decision = adjudicate_claim(claim(line("CONS", 1, 2000)), context())

    assert decision.status is LineStatus.ACCEPTED
    assert shares(decision) == (D(2000), D(1600), D(400))
    assert decision.payee is Payee.PROVIDER


def test_item_not_in_the_catalogue_is_rejected():
    decision = adjudicate_claim(claim(line("NOPE")), context())

    assert decision.lines[0].reasons == (Reason(ReasonCode.UNKNOWN_ITEM, {"item": "NOPE"}),)
    assert decision.status is LineStatus.REJECTED
    assert shares(decision) == (0, 0, 0)


def test_item_missing_from_the_providers_price_list_is_rejected():
    ctx = context(agreements=[agreement(tariffs={"CONS": D(2000)})])

    decision = adjudicate_claim(claim(line("CONS"), line("LAB", 1, 2500)), ctx)

    assert [ln.status for ln in decision.lines] == [LineStatus.ACCEPTED, LineStatus.REJECTED]
    assert codes(decision, 1) == ["not_in_price_list"]


def test_reference_prices_put_the_whole_catalogue_in_the_price_list():
    ctx = context(agreements=[agreement(tariffs={}, reference_prices=True)])

    decision = adjudicate_claim(claim(line("LAB", 1, 3000)), ctx)

    assert shares(decision) == (D(2500), D(2000), D(500))


def test_excluded_category_is_not_in_package():
    ctx = context(packages=[package(rule("consultation"), BenefitRule("optics", covered=False))])

    decision = adjudicate_claim(claim(line("GLASSES", 1, 30000)), ctx)

    assert codes(decision) == ["not_in_package"]


def test_delivery_for_a_man_fails_clinical_applicability():
    pkg = package(rule("delivery", applicability=Applicability(sex=Sex.FEMALE)))
    ctx = context(packages=[pkg], members=[member(beneficiary(sex=Sex.MALE))])

    decision = adjudicate_claim(
        claim(line("DELIVERY", 1, 50000), care_type=CareType.IN_PATIENT, diagnoses=("O80",)), ctx
    )

    assert codes(decision) == ["clinical_applicability"]


def test_second_pair_of_glasses_within_two_years_breaks_the_frequency_limit():
    pkg = package(rule("optics", frequency=CountLimit(1, Window.rolling(730))))
    first = claim(line("GLASSES", 1, 30000), id="C1", start=date(2024, 3, 1),
                  submitted=date(2024, 3, 1))
    second = claim(line("GLASSES", 1, 30000), id="C2")

    d1, d2 = adjudicate_many([first, second], context(packages=[pkg]))

    assert d1.status is LineStatus.ACCEPTED
    assert d2.lines[0].reasons == (
        Reason(ReasonCode.FREQUENCY, {"max": 1, "unit": "quantity", "scope": "beneficiary",
                                      "window": "730_days", "left": 0}),
    )


def test_a_late_claim_cannot_slip_in_before_an_accepted_frequency():
    pkg = package(rule("optics", frequency=CountLimit(1, Window.rolling(730))))
    history = Consumption("G", "B1", "H1", "BASIC", "optics", "GLASSES", date(2025, 6, 20), 1,
                          CareType.OUT_PATIENT, "G", D(24000), D(24000))

    decision = adjudicate_claim(
        claim(line("GLASSES", 1, 30000)), context(packages=[pkg], consumption=(history,))
    )

    assert codes(decision) == ["frequency"]


def test_same_items_claimed_twice_are_duplicates_but_a_correction_is_not():
    original = claim(line("CONS"), id="C1")
    again = claim(line("CONS"), line("PARA", 2, 100), id="C2")
    correction = claim(line("CONS"), id="C3", corrects="C1")
    ctx = context(previous_claims=(original,))

    d_again, d_fix = adjudicate_many([again, correction], ctx)

    assert d_again.lines[0].reasons == (Reason(ReasonCode.DUPLICATE, {"claims": ("C1",)}),)
    assert d_again.lines[1].status is LineStatus.ACCEPTED
    assert d_fix.status is LineStatus.ACCEPTED  # C2's rejected CONS line claimed nothing
    assert codes(d_fix) == []


def test_a_correction_replaces_the_consumption_of_the_claim_it_corrects():
    pkg = package(rule("consultation", count_limits=(CountLimit(1, unit=CountUnit.VISITS),)))
    original = claim(line("CONS"), id="C1")
    ctx = context(packages=[pkg])
    first = adjudicate_claim(original, ctx)

    fix = adjudicate_claim(
        claim(line("CONS", 1, 1800), id="C2", corrects="C1"),
        replace(ctx, consumption=first.consumption, previous_claims=(original,)),
    )

    assert fix.status is LineStatus.ACCEPTED


def test_arrears_at_the_service_date_mean_not_covered():
    ctx = context(members=[member(dues=DuesStanding.arrears(date(2025, 5, 1)))])

    decision = adjudicate_claim(claim(line(), line("PARA", 2, 100)), ctx)

    expected = Reason(ReasonCode.NOT_COVERED, {"arrears_since": date(2025, 5, 1)})
    assert [ln.reasons for ln in decision.lines] == [(expected,), (expected,)]
    assert decision.accepted == 0


def test_unknown_beneficiary_and_resigned_member_are_not_members():
    resigned = member(beneficiary(status=MembershipStatus.RESIGNED))

    unknown = adjudicate_claim(claim(beneficiary_id="ZZ"), context())
    gone = adjudicate_claim(claim(), context(members=[resigned]))

    assert codes(unknown) == ["not_a_member"]
    assert codes(gone) == ["not_a_member"]


def test_unknown_icd10_code_is_an_invalid_diagnosis():
    decision = adjudicate_claim(claim(diagnoses=("A09", "XX99.9")), context())

    assert decision.lines[0].reasons == (
        Reason(ReasonCode.INVALID_DIAGNOSIS, {"code": "XX99.9"}),
    )


def test_icd10_codes_match_without_dots_or_case():
    decision = adjudicate_claim(claim(diagnoses=("b509", "J06.9")), context())

    assert decision.status is LineStatus.ACCEPTED


def test_future_late_and_before_birth_dates_are_invalid():
    baby = member(beneficiary(born=date(2025, 6, 10)))

    future = adjudicate_claim(claim(start=date(2025, 7, 1), submitted=date(2025, 7, 1)),
                              context())
    late = adjudicate_claim(claim(submitted=DAY + timedelta(days=91)), context())
    unborn = adjudicate_claim(claim(), context(members=[baby]))

    assert future.lines[0].reasons[0].params == {"reason": "future"}
    assert late.lines[0].reasons[0].params == {"reason": "late",
                                               "deadline": DAY + timedelta(days=90)}
    assert unborn.lines[0].reasons[0].params == {"reason": "before_birth"}


def test_line_dated_after_discharge_is_invalid():
    stay = claim(line("ADMIT", 1, 20000), line("PARA", 2, 100, on=date(2025, 6, 9)),
                 care_type=CareType.IN_PATIENT, end=date(2025, 6, 5))

    decision = adjudicate_claim(stay, context())

    assert codes(decision, 1) == ["invalid_date"]
    assert decision.lines[0].status is LineStatus.ACCEPTED


def test_in_patient_item_on_an_out_patient_claim_is_a_care_type_error():
    decision = adjudicate_claim(claim(line("ADMIT", 1, 20000)), context())

    assert codes(decision) == ["care_type"]


def test_quantity_over_the_count_limit_is_partially_accepted():
    pkg = package(rule("medicine", count_limits=(CountLimit(30, Window.rolling(30)),)))

    decision = adjudicate_claim(claim(line("PARA", 40, 100)), context(packages=[pkg]))

    ln = decision.lines[0]
    assert ln.status is LineStatus.PARTIALLY_ACCEPTED
    assert (ln.accepted_quantity, ln.accepted, ln.mutual_share) == (30, D(3000), D(2400))
    assert codes(decision) == ["count_limit"]


def test_visit_limit_counts_claims_not_lines():
    pkg = package(rule("antenatal", count_limits=(CountLimit(1, unit=CountUnit.VISITS),)))
    ctx = context(packages=[pkg])
    first = claim(line("ANC", 1, 3000), line("ANC", 1, 3000), id="C1")
    second = claim(line("ANC", 1, 3000), id="C2", start=date(2025, 6, 3))

    d1, d2 = adjudicate_many([first, second], ctx)

    assert d1.status is LineStatus.ACCEPTED
    assert codes(d2) == ["count_limit"]


def test_maternity_within_its_waiting_period_is_rejected():
    pkg = package(rule("delivery", waiting_days=270))
    cover = (CoveragePeriod("BASIC", date(2025, 1, 1), date(2025, 12, 31)),)
    ctx = context(packages=[pkg], members=[member(coverage=cover)])

    decision = adjudicate_claim(
        claim(line("DELIVERY", 1, 50000), care_type=CareType.IN_PATIENT), ctx
    )

    assert decision.lines[0].reasons == (
        Reason(ReasonCode.WAITING_PERIOD, {"until": date(2025, 9, 27)}),
    )


def test_hospital_stay_without_referral_is_rejected():
    pkg = package(rule("admission", referral_required=True))
    ctx = context(packages=[pkg])
    stay = claim(line("ADMIT", 1, 20000), care_type=CareType.IN_PATIENT)

    without = adjudicate_claim(stay, ctx)
    with_ref = adjudicate_claim(replace(stay, referral="REF-12"), ctx)

    assert without.lines[0].reasons == (
        Reason(ReasonCode.REFERRAL_MISSING, {"document": "referral"}),
    )
    assert with_ref.status is LineStatus.ACCEPTED


def test_costly_act_without_prior_authorisation_is_rejected():
    pkg = package(rule("imaging", authorisation_required=True))

    decision = adjudicate_claim(claim(line("XRAY", 1, 15000)), context(packages=[pkg]))

    assert decision.lines[0].reasons[0].params == {"document": "authorisation"}


def test_claim_outside_the_agreement_dates_is_rejected():
    ctx = context(agreements=[agreement(valid_to=date(2025, 5, 31))])

    decision = adjudicate_claim(claim(), ctx)

    assert codes(decision) == ["agreement_invalid"]


def test_provider_without_agreement_is_rejected():
    decision = adjudicate_claim(claim(provider_id="NOBODY"), context())

    assert codes(decision) == ["agreement_invalid"]


def test_malformed_claims_are_invalid():
    no_lines = adjudicate_claim(claim(lines=()), context())
    bad_line = adjudicate_claim(claim(line("CONS", 0), line("PARA", 1, -5)), context())
    reversed_stay = adjudicate_claim(claim(end=DAY - timedelta(days=1)), context())
    no_diagnosis = adjudicate_claim(claim(diagnoses=()), context())

    assert no_lines.lines == () and no_lines.status is LineStatus.REJECTED
    assert codes(bad_line, 0) == ["invalid_claim"] and codes(bad_line, 1) == ["invalid_claim"]
    assert "invalid_claim" in codes(reversed_stay)
    assert no_diagnosis.lines[0].reasons == (
        Reason(ReasonCode.INVALID_CLAIM, {"field": "diagnoses"}),
    )


def test_every_reason_of_a_line_is_reported():
    pkg = package(rule("admission", referral_required=True, waiting_days=9999))

    decision = adjudicate_claim(
        claim(line("ADMIT", 1, 20000), diagnoses=("ZZZ",)), context(packages=[pkg])
    )

    assert codes(decision) == ["invalid_diagnosis", "care_type", "waiting_period",
                               "referral_missing"]


# --- pricing ----------------------------------------------------------------------


def test_price_above_the_tariff_is_capped_at_the_tariff():
    decision = adjudicate_claim(claim(line("CONS", 1, 2500)), context())

    assert shares(decision) == (D(2000), D(1600), D(400))
    assert decision.lines[0].notes[0].code is NoteCode.TARIFF


def test_fixed_copay_is_charged_once_per_visit():
    pkg = package(rule("consultation", coverage=Coverage(fixed_copay=D(200))),
                  rule("medicine", coverage=Coverage(fixed_copay=D(200))))

    decision = adjudicate_claim(claim(line("CONS"), line("PARA", 5, 100)), context(packages=[pkg]))

    assert shares(decision, 0) == (D(2000), D(1800), D(200))
    assert shares(decision, 1) == (D(500), D(500), D(0))
    assert decision.member_share == 200


def test_copay_larger_than_the_first_line_carries_to_the_next():
    pkg = package(rule("medicine", coverage=Coverage(fixed_copay=D(500))),
                  rule("consultation", coverage=Coverage(fixed_copay=D(500))))

    decision = adjudicate_claim(claim(line("PARA", 3, 100), line("CONS")), context(packages=[pkg]))

    assert [ln.member_share for ln in decision.lines] == [D(300), D(200)]


def test_indigents_are_exempt_from_the_copay():
    pkg = package(rule("consultation", coverage=Coverage(fixed_copay=D(200)),
                       by_member_category={"indigent": Coverage.exempt()}))
    ctx = context(packages=[pkg], members=[member(beneficiary(category="indigent"))])

    decision = adjudicate_claim(claim(), ctx)

    assert shares(decision) == (D(2000), D(2000), D(0))


def test_mutual_share_is_rounded_half_up_to_the_currency_unit():
    pkg = package(rule("consultation", coverage=Coverage(rate=D("0.85"))))
    ctx = context(packages=[pkg], agreements=[agreement(tariffs={"CONS": D(1001)})])

    xof = adjudicate_claim(claim(line("CONS", 1, 1001)), ctx)
    eur_pkg = package(rule("consultation", coverage=Coverage(rate=D("0.85"))), currency="EUR")
    eur = adjudicate_claim(
        claim(line("CONS", 1, D("10.01"))),
        context(packages=[eur_pkg], agreements=[agreement(tariffs={"CONS": D("10.01")})]),
    )

    assert shares(xof) == (D(1001), D(851), D(150))  # 850.85
    assert shares(eur) == (D("10.01"), D("8.51"), D("1.50"))  # 8.5085


def test_ceiling_caps_the_mutual_share_and_never_rejects():
    pkg = package(rule("laboratory", ceilings=(Ceiling(Scope.BENEFICIARY, D(3000)),)))
    ctx = context(packages=[pkg])

    d1, d2, d3 = adjudicate_many(
        [claim(line("LAB", 1, 2500), id=f"C{i}", start=DAY + timedelta(days=i)) for i in (1, 2, 3)],
        ctx,
    )

    assert [d.mutual_share for d in (d1, d2, d3)] == [D(2000), D(1000), D(0)]
    assert [d.status for d in (d1, d2, d3)] == [LineStatus.ACCEPTED] * 3
    assert d3.member_share == 2500
    assert d2.lines[0].notes[0].params["remaining"] == D(1000)


def test_act_ceiling_is_per_unit():
    pkg = package(rule("imaging", ceilings=(Ceiling(Scope.ACT, D(5000)),)))

    decision = adjudicate_claim(claim(line("XRAY", 2, 15000)), context(packages=[pkg]))

    assert shares(decision) == (D(30000), D(10000), D(20000))


def test_visit_and_episode_ceilings():
    pkg = package(rule("medicine", ceilings=(Ceiling(Scope.VISIT, D(1000)),)),
                  rule("laboratory", ceilings=(Ceiling(Scope.EPISODE, D(3000)),)))
    ctx = context(packages=[pkg])
    c1 = claim(line("PARA", 10, 100), line("PARA", 10, 100), line("LAB", 1, 2500),
               id="C1", episode="E1")
    c2 = claim(line("LAB", 1, 2500), id="C2", episode="E1", start=date(2025, 6, 5))

    d1, d2 = adjudicate_many([c1, c2], ctx)

    assert [ln.mutual_share for ln in d1.lines] == [D(800), D(200), D(2000)]
    assert d2.mutual_share == 1000


def test_household_and_in_patient_ceilings_are_package_wide():
    pkg = package(ceilings=(Ceiling(Scope.HOUSEHOLD, D(3000)),
                            Ceiling(Scope.BENEFICIARY, D(10000), care_type=CareType.IN_PATIENT)))
    ctx = context(packages=[pkg], members=[member(), member(beneficiary(id="B2"))])

    d1, d2, d3 = adjudicate_many([
        claim(line("CONS"), id="C1"),
        claim(line("CONS"), id="C2", beneficiary_id="B2", start=date(2025, 6, 3)),
        claim(line("ADMIT", 1, 20000), id="C3", care_type=CareType.IN_PATIENT,
              start=date(2025, 1, 10), submitted=date(2025, 1, 20)),
    ], ctx)

    assert d3.mutual_share == 3000  # household ceiling first in date order (in-patient: 10,000)
    assert (d1.mutual_share, d2.mutual_share) == (D(0), D(0))


def test_in_patient_ceiling_ignores_out_patient_care():
    pkg = package(ceilings=(Ceiling(Scope.BENEFICIARY, D(1000), care_type=CareType.IN_PATIENT),))

    decision = adjudicate_claim(claim(line("CONS")), context(packages=[pkg]))

    assert decision.mutual_share == 1600


def test_deductible_is_paid_by_the_member_first():
    pkg = package(deductible=Deductible(D(2500)))

    d1, d2 = adjudicate_many([claim(line("CONS"), id="C1"),
                              claim(line("CONS"), id="C2", start=date(2025, 6, 3))],
                             context(packages=[pkg]))

    assert shares(d1) == (D(2000), D(0), D(2000))
    assert shares(d2) == (D(2000), D(1200), D(800))  # 500 deductible, then 80% of 1500


def test_flat_rate_per_visit_and_per_episode():
    ag = agreement(flat_rates={"CONS": FlatRate(D(1500)),
                               "ADMIT": FlatRate(D(30000), FlatBasis.EPISODE)})
    ctx = context(agreements=[ag])
    visit = claim(line("CONS", 1, 2000), line("CONS", 1, 2000), id="C1")
    stay1 = claim(line("ADMIT", 1, 20000), id="C2", episode="E", care_type=CareType.IN_PATIENT)
    stay2 = claim(line("ADMIT", 1, 20000), id="C3", episode="E", care_type=CareType.IN_PATIENT,
                  start=date(2025, 6, 4))

    dv, d1, d2 = adjudicate_many([visit, stay1, stay2], ctx)

    assert [ln.accepted for ln in dv.lines] == [D(1500), D(0)]
    assert (d1.accepted, d2.accepted) == (D(20000), D(10000))


def test_without_third_party_payment_the_member_is_reimbursed():
    decision = adjudicate_claim(claim(), context(agreements=[agreement(third_party_payment=False)]))

    assert decision.payee is Payee.MEMBER
    assert decision.lines[0].payee is Payee.MEMBER


def test_accepted_lines_return_their_consumption():
    decision = adjudicate_claim(claim(line("CONS"), line("NOPE")), context())

    assert decision.consumption == (
        Consumption("C1", "B1", "H1", "BASIC", "consultation", "CONS", DAY, 1,
                    CareType.OUT_PATIENT, "C1", D(2000), D(1600), D(0), False),
    )


def test_batch_order_is_service_date_then_claim_id():
    pkg = package(rule("consultation", count_limits=(CountLimit(1, unit=CountUnit.VISITS),)))
    claims = [claim(id="C9", start=DAY), claim(id="C1", start=DAY + timedelta(days=1)),
              claim(id="C5", start=DAY)]

    decisions = adjudicate_many(claims, context(packages=[pkg]))

    assert [d.claim_id for d in decisions] == ["C9", "C1", "C5"]  # the order given
    assert [d.status.value for d in decisions] == ["rejected", "rejected", "accepted"]


# --- invariants -------------------------------------------------------------------

HOUSE_CEILING, BEN_CEILING, LAB_CEILING = D(60000), D(40000), D(8000)
PROPERTY_PACKAGE = package(
    rule("consultation", coverage=Coverage(fixed_copay=D(300)),
         count_limits=(CountLimit(3, Window.rolling(60), CountUnit.VISITS),)),
    rule("medicine", coverage=Coverage(rate=D("0.75")),
         count_limits=(CountLimit(50, Window.rolling(30)),)),
    rule("laboratory", coverage=Coverage(rate=D("0.9")),
         ceilings=(Ceiling(Scope.BENEFICIARY, LAB_CEILING),)),
    rule("imaging", coverage=Coverage(rate=D("0.7")), ceilings=(Ceiling(Scope.ACT, D(9000)),)),
    rule("optics", coverage=Coverage(rate=D("0.5")), frequency=CountLimit(1, Window.rolling(365))),
    rule("admission", referral_required=True),
    ceilings=(Ceiling(Scope.BENEFICIARY, BEN_CEILING), Ceiling(Scope.HOUSEHOLD, HOUSE_CEILING)),
    deductible=Deductible(D(1000), scope=Scope.HOUSEHOLD),
)
MEMBERS = [member(beneficiary(id=f"B{i}", household_id=f"H{i // 2}",
                              category="indigent" if i == 3 else "informal"))
           for i in range(4)]
PROPERTY_CONTEXT = context(packages=[PROPERTY_PACKAGE], members=MEMBERS)
ITEMS = ["CONS", "PARA", "LAB", "XRAY", "GLASSES", "ADMIT", "NOPE"]

lines_st = st.builds(
    line,
    st.sampled_from(ITEMS),
    st.integers(1, 30),
    st.integers(0, 40000),
)
claims_st = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 150),
        st.lists(lines_st, min_size=1, max_size=4),
        st.sampled_from([CareType.OUT_PATIENT, CareType.IN_PATIENT]),
        st.sampled_from([None, "REF"]),
    ),
    max_size=12,
).map(
    lambda rows: [
        claim(*ls, id=f"C{k:03d}", beneficiary_id=f"B{b}", care_type=care, referral=ref,
              start=date(2025, 1, 1) + timedelta(days=d),
              submitted=date(2025, 1, 1) + timedelta(days=d))
        for k, (b, d, ls, care, ref) in enumerate(rows)
    ]
)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(claims_st)
def test_shares_add_up_to_the_accepted_amount(claims):
    for d in adjudicate_many(claims, PROPERTY_CONTEXT):
        for ln in d.lines:
            assert ln.mutual_share + ln.member_share == ln.accepted
            assert 0 <= ln.mutual_share <= ln.accepted <= ln.claimed
            assert ln.mutual_share == ln.mutual_share.quantize(D(1))
            assert (ln.status is LineStatus.REJECTED) == (ln.accepted_quantity == 0)
        assert d.mutual_share + d.member_share == d.accepted


@PROPS
@given(claims_st)
def test_mutual_share_never_exceeds_a_ceiling(claims):
    decisions = adjudicate_many(claims, PROPERTY_CONTEXT)

    by_ben: dict[str, D] = {}
    by_house: dict[str, D] = {}
    lab: dict[str, D] = {}
    for r in (r for d in decisions for r in d.consumption):
        by_ben[r.beneficiary_id] = by_ben.get(r.beneficiary_id, D(0)) + r.mutual_share
        by_house[r.household_id] = by_house.get(r.household_id, D(0)) + r.mutual_share
        if r.category == "laboratory":
            lab[r.beneficiary_id] = lab.get(r.beneficiary_id, D(0)) + r.mutual_share
        if r.category == "imaging":
            assert r.mutual_share <= 9000 * r.quantity
    assert all(v <= BEN_CEILING for v in by_ben.values())
    assert all(v <= HOUSE_CEILING for v in by_house.values())
    assert all(v <= LAB_CEILING for v in lab.values())


@PROPS
@given(claims_st, st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_the_order_claims_are_given(claims, rnd):
    shuffled = claims[:]
    rnd.shuffle(shuffled)

    a = {d.claim_id: d for d in adjudicate_many(claims, PROPERTY_CONTEXT)}
    b = {d.claim_id: d for d in adjudicate_many(shuffled, PROPERTY_CONTEXT)}

    assert a == b


@PROPS
@given(claims_st)
def test_one_by_one_with_accumulated_consumption_equals_the_batch(claims):
    batch = {d.claim_id: d for d in adjudicate_many(claims, PROPERTY_CONTEXT)}

    ctx = PROPERTY_CONTEXT
    single = {}
    for c in sorted(claims, key=lambda c: (c.start, c.id)):
        d = adjudicate_claim(c, ctx)
        single[c.id] = d
        kept = replace(c, lines=tuple(c.lines[ln.index] for ln in d.lines if ln.accepted_quantity))
        ctx = replace(ctx, consumption=ctx.consumption + d.consumption,
                      previous_claims=ctx.previous_claims + (kept,))

    assert single == batch


def test_a_random_large_batch_keeps_its_invariants():
    rnd = random.Random(3)
    claims = [
        claim(line(rnd.choice(ITEMS), rnd.randint(1, 10), rnd.randint(0, 20000)),
              id=f"C{k:04d}", beneficiary_id=f"B{rnd.randrange(4)}",
              start=date(2025, 1, 1) + timedelta(days=rnd.randrange(170)))
        for k in range(400)
    ]

    decisions = adjudicate_many(claims, PROPERTY_CONTEXT)

    total = sum((d.mutual_share for d in decisions), D(0))
    assert total <= 2 * HOUSE_CEILING

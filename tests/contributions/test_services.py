"""Schedules, dues generation, payments, reversal and the daily run (DOMAIN §1, §5)."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.contributions import services
from mutualis.contributions.dues import dues_generate
from mutualis.contributions.models import Due, DueKind, Payment, Schedule
from mutualis.contributions.selectors import household_standing, household_standings
from mutualis.contributions.services import PaymentInput
from mutualis.contributions.status import daily_run
from mutualis.core.errors import Conflict, DomainError
from mutualis.members.models import Membership, MembershipStatus, MembershipStatusChange

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_schedule_rated_by_age_cannot_be_saved(org_tree, manager):
    with pytest.raises(DomainError) as exc:
        services.schedule_save(
            actor=manager,
            mutual=org_tree.mutual,
            data={
                "name": "Par âge",
                "kind": "flat_per_person",
                "amount": D(3000),
                "varies_by": "age",
            },
            rates=[("0", D(1000)), ("18", D(3000))],
        )

    assert exc.value.code == "schedule_rates_by_risk"
    assert "âge" in str(exc.value)
    assert not Schedule.objects.filter(name="Par âge").exists()


def test_category_rates_must_name_member_categories(org_tree, manager):
    with pytest.raises(DomainError) as exc:
        services.schedule_save(
            actor=manager,
            mutual=org_tree.mutual,
            data={
                "name": "X",
                "kind": "flat_per_person",
                "amount": D(3000),
                "varies_by": "category",
            },
            rates=[("child", D(1000))],
        )

    assert "child" in exc.value.fields["rates"]


def test_dues_are_generated_once_per_household_and_period(
    schedule, make_household, manager, org_tree
):
    households = [make_household() for _ in range(3)]

    first = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026-11")
    second = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026-11")

    assert first.created == 9  # contribution + registration fee + GA fee, per household
    assert second.created == 0
    due = Due.objects.get(household=households[0], kind=DueKind.CONTRIBUTION)
    assert due.amount == D(10500)
    assert (due.period_start, due.period_end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_state_subsidy_splits_the_dues_per_payer(
    schedule, state, make_household, manager, org_tree
):
    services.subsidy_add(actor=manager, schedule=schedule, payer=state, share=D("0.5"))
    services.subsidy_add(
        actor=manager, schedule=schedule, payer=state, share=D(1), category="indigent"
    )
    poor = make_household(category="indigent", size=2)
    other = make_household(size=2)

    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    member = Due.objects.get(household=other, kind=DueKind.CONTRIBUTION, payer__isnull=True)
    subsidised = Due.objects.get(household=other, kind=DueKind.CONTRIBUTION, payer=state)
    assert (member.amount, subsidised.amount) == (D(3500), D(3500))
    assert not Due.objects.filter(
        household=poor, kind=DueKind.CONTRIBUTION, payer__isnull=True
    ).exists()


def test_a_payment_settles_fees_first_then_the_contribution_and_keeps_the_rest_as_credit(
    schedule, make_household, clerk_a, manager, org_tree
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    payment = services.payment_record(
        actor=clerk_a, household=hh, data=PaymentInput(amount=D(6000), value_date=date(2026, 2, 1))
    )

    paid = dict(Due.objects.filter(household=hh).values_list("kind", "paid"))
    assert paid == {"registration_fee": D(1000), "membership_fee": D(500), "contribution": D(3500)}
    assert payment.credit == D(1000)
    assert payment.receipt_number == "MAF-2026-000001"


def test_the_same_idempotency_key_returns_the_same_payment_or_conflicts(
    schedule, make_household, clerk_a, manager, org_tree
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    data = PaymentInput(amount=D(2000), value_date=date(2026, 2, 1))

    one = services.payment_record(actor=clerk_a, household=hh, data=data, idempotency_key="k1")
    two = services.payment_record(actor=clerk_a, household=hh, data=data, idempotency_key="k1")

    assert one.pk == two.pk
    with pytest.raises(Conflict):
        services.payment_record(
            actor=clerk_a,
            household=hh,
            data=PaymentInput(amount=D(3000), value_date=date(2026, 2, 1)),
            idempotency_key="k1",
        )


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (D(-5), "XOF", "payment_invalid"),
        (D(100), "ZZZ", "payment_invalid"),
        (D(100), "EUR", "payment_invalid"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(
    schedule, make_household, clerk_a, amount, currency, code
):
    hh = make_household(size=1)

    with pytest.raises(DomainError) as exc:
        services.payment_record(
            actor=clerk_a,
            household=hh,
            data=PaymentInput(amount=amount, value_date=date(2026, 2, 1), currency=currency),
        )

    assert exc.value.code == code
    assert Payment.objects.count() == 0


def test_a_payment_for_a_household_whose_members_all_left_is_refused(
    schedule, make_household, clerk_a
):
    hh = make_household(size=1)
    Membership.objects.filter(household=hh).update(
        status=MembershipStatus.RESIGNED, left_on=date(2026, 1, 5)
    )

    with pytest.raises(DomainError) as exc:
        services.payment_record(
            actor=clerk_a,
            household=hh,
            data=PaymentInput(amount=D(100), value_date=date(2026, 2, 1)),
        )

    assert exc.value.code == "household_left"
    assert hh.number in str(exc.value)


def test_a_reversal_undoes_the_allocation_with_a_reason(
    schedule, make_household, clerk_a, manager, org_tree
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    payment = services.payment_record(
        actor=clerk_a, household=hh, data=PaymentInput(amount=D(5000), value_date=date(2026, 2, 1))
    )

    undo = services.payment_reverse(
        actor=clerk_a, payment=payment, reason="Erreur de ménage", on=date(2026, 2, 2)
    )

    assert undo.amount == D(-5000)
    assert sum(Due.objects.filter(household=hh).values_list("paid", flat=True)) == 0
    assert Payment.objects.count() == 2
    with pytest.raises(Conflict):
        services.payment_reverse(
            actor=clerk_a, payment=payment, reason="again", on=date(2026, 2, 2)
        )


def test_the_daily_run_suspends_after_grace_and_a_late_payment_reactivates_from_its_value_date(
    schedule, make_household, clerk_a, manager, org_tree
):
    payer = make_household(size=1)
    late = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    services.payment_record(
        actor=clerk_a,
        household=payer,
        data=PaymentInput(amount=D(5000), value_date=date(2026, 1, 10)),
    )

    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 1, 15))
    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 3, 15))
    again, _ = daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 3, 15))

    assert Membership.objects.get(household=payer).status == MembershipStatus.ACTIVE
    assert Membership.objects.get(household=late).status == MembershipStatus.CANDIDATE
    assert again.membership_changes == 0
    standings = household_standings(household_ids=[payer.pk, late.pk], on=date(2026, 3, 15))
    assert standings[payer.pk].in_good_standing
    assert not standings[late.pk].in_good_standing
    assert standings[late.pk].reason == "arrears"


def test_suspension_and_reactivation_are_dated_and_explained(
    schedule, make_household, clerk_a, manager, org_tree
):
    hh = make_household(size=1, status=MembershipStatus.ACTIVE)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 3, 1))
    assert Membership.objects.get(household=hh).status == MembershipStatus.SUSPENDED
    services.payment_record(
        actor=clerk_a,
        household=hh,
        data=PaymentInput(amount=D(5000), value_date=date(2026, 3, 5)),
        refresh_on=date(2026, 3, 5),
    )

    assert Membership.objects.get(household=hh).status == MembershipStatus.ACTIVE
    changes = list(
        MembershipStatusChange.objects.filter(membership__household=hh).values_list(
            "status", "effective_on", "reason"
        )
    )
    assert changes == [
        ("suspended", date(2026, 2, 5), "arrears"),
        ("active", date(2026, 3, 5), "reactivated"),
    ]
    assert household_standing(household=hh, on=date(2026, 3, 5)).in_good_standing


def test_standings_of_many_households_take_a_fixed_number_of_queries(
    schedule, make_household, manager, org_tree, django_assert_max_num_queries
):
    households = [make_household(size=2) for _ in range(30)]
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    with django_assert_max_num_queries(4):
        standings = household_standings(
            household_ids=[h.pk for h in households], on=date(2026, 6, 1)
        )

    assert len(standings) == 30
    assert not any(s.in_good_standing for s in standings.values())


def test_a_household_without_any_dues_falls_back_to_its_membership_status(make_household):
    active = make_household(status=MembershipStatus.ACTIVE)
    candidate = make_household()

    standings = household_standings(household_ids=[active.pk, candidate.pk], on=date(2026, 6, 1))

    assert standings[active.pk].in_good_standing
    assert standings[candidate.pk].reason == "not_member"


def test_the_admin_refuses_a_schedule_rated_by_health(org_tree, root_user, login):
    response = login(root_user).post(
        "/admin/contributions/schedule/add/",
        {
            "mutual": org_tree.mutual.pk,
            "name": "Santé",
            "kind": "flat_per_person",
            "currency": "XOF",
            "period": "yearly",
            "first_month": 1,
            "amount": "3000",
            "varies_by": "health",
            "registration_fee": 0,
            "membership_fee": 0,
            "membership_fee_month": 1,
            "renewal_discount": 0,
            "pro_rata": "none",
            "due_days": 0,
            "grace_days": 30,
            "cover_share": 1,
            "partial_cover_months": 0,
            "strike_off_months": 12,
            "is_active": "on",
            "rates-TOTAL_FORMS": 0,
            "rates-INITIAL_FORMS": 0,
            "subsidies-TOTAL_FORMS": 0,
            "subsidies-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "solidarit" in response.content.decode()
    assert not Schedule.objects.exists()


def test_the_commands_generate_dues_and_run_the_daily_run(schedule, make_household):
    from io import StringIO

    from django.core.management import call_command

    make_household()
    out = StringIO()

    call_command("generate-dues", "--period", "2026-11", stdout=out)
    call_command("generate-dues", "--period", "2026-11", stdout=out)
    call_command("daily", "--date", "2026-03-01", "--mutual", "MAF", stdout=out)

    text = out.getvalue()
    assert "MAF: 3 dues created" in text
    assert "MAF: 0 dues created, 1 households already done" in text
    assert "MAF 2026-03-01: 1 households" in text


def test_the_payment_key_lookup_uses_the_key_index_also_as_a_prepared_statement(query_plan):
    from mutualis.contributions import services as pay_services

    qs = Payment.objects.filter(pay_services._KEYED, mutual_id=1, idempotency_key="key-1")
    assert "payment_idempotency_unique" in query_plan(*qs.query.sql_with_params())

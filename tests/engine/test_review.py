"""Re-pricing a reviewed line and the reproducible random draw (no database)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.money import currency
from mutualis.engine.review import drawn, reprice_line

D = Decimal
XOF = currency("XOF")


def test_a_rate_rule_pays_its_share_of_the_new_amount():
    line = reprice_line(accepted=D(500), claimed=D(1000), rate=D("0.8"), cur=XOF)

    assert (line.accepted, line.mutual_share, line.member_share) == (D(500), D(400), D(100))


def test_a_fixed_copay_and_a_deductible_stay_with_the_member():
    line = reprice_line(
        accepted=D(3000), claimed=D(5000), rate=None, fixed_copay=D(500), deductible=D(200),
        cur=XOF,
    )  # fmt: skip

    assert (line.mutual_share, line.member_share) == (D(2300), D(700))


def test_a_share_capped_by_a_ceiling_stays_under_it():
    line = reprice_line(accepted=D(4000), claimed=D(5000), rate=D(1), cap=D(1500), cur=XOF)

    assert line.mutual_share == D(1500)


@given(
    accepted=st.integers(min_value=-1000, max_value=100_000),
    claimed=st.integers(min_value=0, max_value=50_000),
    rate=st.sampled_from([D(0), D("0.7"), D("0.8"), D(1)]),
)
def test_the_accepted_amount_is_never_above_the_claimed_and_shares_add_up(accepted, claimed, rate):
    line = reprice_line(accepted=D(accepted), claimed=D(claimed), rate=rate, cur=XOF)

    assert D(0) <= line.accepted <= D(claimed)
    assert line.mutual_share + line.member_share == line.accepted
    assert D(0) <= line.mutual_share <= line.accepted


def test_the_draw_takes_none_all_or_a_reproducible_share():
    assert not any(drawn("s", i, D(0)) for i in range(100))
    assert all(drawn("s", i, D(100)) for i in range(100))
    assert [drawn("s", i, D(10)) for i in range(500)] == [drawn("s", i, D(10)) for i in range(500)]

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.checkdigit import damm_digit, is_valid, with_check_digit
from mutualis.engine.money import UnknownCurrency, currency


def test_xof_has_no_minor_unit_and_rounds_half_up():
    xof = currency("XOF")

    assert xof.quantize(Decimal("1234.5")) == Decimal("1235")
    assert xof.quantize(Decimal("1234.49")) == Decimal("1234")
    assert str(xof.quantize(Decimal("100"))) == "100"


def test_euro_keeps_two_decimals():
    assert currency("eur").quantize(Decimal("10.005")) == Decimal("10.01")


def test_a_float_is_refused_as_money():
    with pytest.raises(TypeError):
        currency("XOF").quantize(0.1)


def test_an_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency):
        currency("ZZZ")


digits = st.text(alphabet="0123456789", min_size=1, max_size=14)


@given(digits)
def test_a_number_with_its_check_digit_is_valid(body):
    assert is_valid(with_check_digit(body))


@given(digits, st.data())
def test_every_single_digit_error_is_caught(body, data):
    number = with_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))

    assert not is_valid(number[:i] + wrong + number[i + 1 :])


@given(digits.filter(lambda s: len(s) >= 1), st.data())
def test_every_adjacent_swap_is_caught(body, data):
    number = with_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 2))
    if number[i] == number[i + 1]:
        return
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]

    assert not is_valid(swapped)


def test_09_and_90_are_told_apart_unlike_luhn():
    assert damm_digit("09") != damm_digit("90")


def test_printed_separators_are_ignored():
    number = with_check_digit("0010000123")

    assert is_valid(f"{number[:3]}-{number[3:10]}-{number[10:]}")
    assert not is_valid("12a4")

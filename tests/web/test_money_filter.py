from decimal import Decimal

from django.utils import translation

from mutualis.web.templatetags.mutualis import money


def test_xof_amounts_show_no_decimals_and_group_thousands_per_language():
    with translation.override("fr"):
        assert money(Decimal("12500.4"), "XOF") == "12\u00a0500\u00a0XOF"
    with translation.override("en"):
        assert money(Decimal("12500.4"), "XOF") == "12,500\u00a0XOF"


def test_euro_amounts_keep_cents():
    with translation.override("fr"):
        assert money(Decimal("1234.5"), "EUR") == "1\u00a0234,50\u00a0EUR"


def test_ids_in_templates_are_never_grouped_but_amounts_are():
    from django.template import Context, Template

    with translation.override("fr"):
        out = Template('{{ n }} {{ amount|money:"XOF" }}').render(
            Context({"n": 1222, "amount": Decimal(12500)})
        )

    assert out == "1222 12\u00a0500\u00a0XOF"

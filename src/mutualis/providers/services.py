"""Writes of the providers app: providers, agreements, negotiated tariffs (DOMAIN §6).

Tariff lists are imported from CSV or XLSX set-based: every row is checked
first, errors are reported by row number, and the agreement's list is
replaced in one `bulk_create`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run

from .models import Agreement, FlatBasis, NegotiatedTariff, Ownership, Provider, ProviderKind


class TariffFileUnreadable(ValidationFailed):
    code = "tariff_file_unreadable"
    message = _("The tariff file could not be read: use CSV or XLSX with a header row.")


class TariffRowsInvalid(ValidationFailed):
    code = "tariff_rows_invalid"
    message = _("{count} rows of the tariff file are not valid; nothing was imported.")


@transaction.atomic
def provider_create(
    *,
    actor,
    organisation,
    code: str,
    name: str,
    kind: str,
    level: int = 1,
    ownership: str = Ownership.PUBLIC,
    locality: str = "",
    address: str = "",
    phone: str = "",
) -> Provider:
    require(actor, Perm.PROVIDER_MANAGE, on=organisation)
    errors = {}
    if not code.strip():
        errors["code"] = _("The code is required.")
    elif Provider.objects.filter(code=code.strip()).exists():
        errors["code"] = _("This code is already used.")
    if not name.strip():
        errors["name"] = _("The name is required.")
    if kind not in ProviderKind.values:
        errors["kind"] = _("Unknown type of provider.")
    if ownership not in Ownership.values:
        errors["ownership"] = _("Unknown ownership.")
    if not 1 <= int(level) <= 4:
        errors["level"] = _("The level is between 1 and 4.")
    if errors:
        raise ValidationFailed(fields=errors)
    with acting_as(actor):
        provider = Provider.objects.create(
            organisation=organisation,
            code=code.strip(),
            name=name.strip(),
            kind=kind,
            level=level,
            ownership=ownership,
            locality=locality,
            address=address,
            phone=phone,
        )
    audit_record(actor=actor, action="provider.create", target=provider, organisation=organisation)
    return provider


@transaction.atomic
def agreement_create(
    *,
    actor,
    provider: Provider,
    reference: str,
    valid_from: date,
    valid_to: date | None = None,
    payment_terms_days: int = 30,
    third_party_payment: bool = True,
    reference_prices: bool = False,
    capitation_per_member: Decimal | None = None,
    note: str = "",
    submission_deadline_days: int | None = None,
) -> Agreement:
    """Sign an agreement (convention). Two agreements of a provider may not overlap."""
    require(actor, Perm.PROVIDER_MANAGE, on=provider.organisation)
    errors = _deadline_errors(submission_deadline_days)
    if not reference.strip():
        errors["reference"] = _("The reference is required.")
    elif provider.agreements.filter(reference=reference.strip()).exists():
        errors["reference"] = _("This reference is already used for this provider.")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The end date is before the start date.")
    if errors:
        raise ValidationFailed(fields=errors)
    end = valid_to or date.max
    for other in provider.agreements.all():
        if other.valid_from <= end and (other.valid_to is None or other.valid_to >= valid_from):
            raise Conflict(
                _("This agreement overlaps agreement {reference}."), reference=other.reference
            )
    with acting_as(actor):
        agreement = Agreement.objects.create(
            provider=provider,
            reference=reference.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
            payment_terms_days=payment_terms_days,
            third_party_payment=third_party_payment,
            reference_prices=reference_prices,
            capitation_per_member=capitation_per_member,
            note=note,
            submission_deadline_days=submission_deadline_days,
        )
    audit_record(
        actor=actor,
        action="agreement.create",
        target=agreement,
        organisation=provider.organisation,
        data={"provider": provider.pk, "valid_from": valid_from.isoformat()},
    )
    return agreement


def _deadline_errors(days: int | None) -> dict:
    if days is not None and not 1 <= days <= 3650:
        return {"submission_deadline_days": _("Give a number of days between 1 and 3650.")}
    return {}


@transaction.atomic
def agreement_update(
    *,
    actor,
    agreement: Agreement,
    valid_to: date | None,
    payment_terms_days: int,
    third_party_payment: bool,
    reference_prices: bool,
    submission_deadline_days: int | None,
) -> Agreement:
    """Change the running terms of an agreement (end date, payment, deadline).

    Claims already decided keep their decision; the new terms apply to the
    claims decided from now on.
    """
    provider = agreement.provider
    require(actor, Perm.PROVIDER_MANAGE, on=provider.organisation)
    errors = _deadline_errors(submission_deadline_days)
    if valid_to is not None and valid_to < agreement.valid_from:
        errors["valid_to"] = _("The end date is before the start date.")
    if payment_terms_days < 0:
        errors["payment_terms_days"] = _("Give a number of days.")
    if errors:
        raise ValidationFailed(fields=errors)
    end = valid_to or date.max
    for other in provider.agreements.exclude(pk=agreement.pk):
        if other.valid_from <= end and (
            other.valid_to is None or other.valid_to >= agreement.valid_from
        ):
            raise Conflict(
                _("This agreement overlaps agreement {reference}."), reference=other.reference
            )
    before = {
        "valid_to": str(agreement.valid_to or ""),
        "submission_deadline_days": agreement.submission_deadline_days,
    }
    agreement.valid_to = valid_to
    agreement.payment_terms_days = payment_terms_days
    agreement.third_party_payment = third_party_payment
    agreement.reference_prices = reference_prices
    agreement.submission_deadline_days = submission_deadline_days
    with acting_as(actor):
        agreement.save()
    audit_record(
        actor=actor,
        action="agreement.update",
        target=agreement,
        organisation=provider.organisation,
        data={
            "before": before,
            "valid_to": str(valid_to or ""),
            "submission_deadline_days": submission_deadline_days,
        },
    )
    return agreement


@dataclass
class TariffRow:
    item_code: str
    price: Decimal | None = None
    flat_rate: Decimal | None = None
    flat_basis: str = ""


@dataclass
class TariffReport:
    rows: int = 0
    imported: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def _amount(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)  # spreadsheet cells arrive as floats; go through text
    try:
        amount = Decimal(str(value).strip().replace("\u00a0", "").replace(" ", ""))
    except InvalidOperation:
        raise ValueError from None
    if not amount.is_finite():
        raise ValueError
    return amount


def tariff_rows_read(content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV or XLSX tariff list as dicts with lower-case column names."""
    import polars as pl

    try:
        if filename.lower().endswith((".xlsx", ".xls")):
            frame = pl.read_excel(io.BytesIO(content), infer_schema_length=0)
        else:
            text = content.decode("utf-8-sig")
            sep = (
                ";"
                if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
                else ","
            )
            frame = pl.read_csv(io.StringIO(text), separator=sep, infer_schema=False)
    except Exception as exc:  # any parser error means the same thing to the user
        raise TariffFileUnreadable() from exc
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    if "code" not in frame.columns:
        raise TariffFileUnreadable(fields={"file": _("The file needs a “code” column.")})
    return frame.to_dicts()


def tariff_rows_check(rows: list[dict], currency) -> tuple[list[TariffRow], dict[int, str]]:
    """Parse every row; errors by row number (2 = first row under the header)."""
    good: list[TariffRow] = []
    errors: dict[int, str] = {}
    seen: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        code = str(raw.get("code") or "").strip()
        try:
            price = _amount(raw.get("price"))
            flat = _amount(raw.get("flat_rate"))
        except ValueError:
            errors[n] = str(_("The price is not a number."))
            continue
        basis = str(raw.get("flat_basis") or "").strip().lower()
        if not code:
            errors[n] = str(_("The item code is missing."))
        elif code in seen:
            errors[n] = str(_("Item {code} appears twice.")).format(code=code)
        elif (price is None) == (flat is None):
            errors[n] = str(_("Give either a unit price or a flat rate."))
        elif (price if price is not None else flat) < 0:
            errors[n] = str(_("A price cannot be negative."))
        elif currency.quantize(price if price is not None else flat) != (
            price if price is not None else flat
        ):
            errors[n] = str(_("The amount has more decimals than the currency allows."))
        elif flat is not None and basis and basis not in FlatBasis.values:
            errors[n] = str(_("The flat rate basis is “visit” or “episode”."))
        else:
            seen.add(code)
            good.append(
                TariffRow(code, price, flat, (basis or FlatBasis.VISIT) if flat is not None else "")
            )
    return good, errors


def tariffs_import(*, actor, agreement: Agreement, content: bytes, filename: str) -> TariffReport:
    """Replace an agreement's tariff list by a CSV/XLSX file (columns: code, price,
    flat_rate, flat_basis). All rows are checked first; one bad row imports nothing."""
    provider = agreement.provider
    require(actor, Perm.PROVIDER_MANAGE, on=provider.organisation)
    rows = tariff_rows_read(content, filename)
    good, errors = tariff_rows_check(rows, provider.organisation.money)
    report = TariffReport(rows=len(rows), errors=errors)
    if errors:
        raise TariffRowsInvalid(
            count=len(errors), fields={f"row {n}": msg for n, msg in sorted(errors.items())}
        )
    with batch_run(
        actor=actor,
        kind="providers.tariffs_import",
        organisation=provider.organisation,
        parameters={"agreement": agreement.pk, "file": filename},
        total=len(good),
    ) as progress:
        with transaction.atomic():
            NegotiatedTariff.objects.filter(agreement=agreement).delete()
            objs = [
                NegotiatedTariff(
                    agreement=agreement,
                    item_code=r.item_code,
                    price=r.price,
                    flat_rate=r.flat_rate,
                    flat_basis=r.flat_basis,
                )
                for r in good
            ]
            NegotiatedTariff.objects.bulk_create(objs, batch_size=1000)
            audit_record(
                actor=actor,
                action="agreement.tariffs_import",
                target=agreement,
                organisation=provider.organisation,
                data={"rows": len(good), "file": filename},
            )
        progress.advance(len(good))
    report.imported = len(good)
    return report


@transaction.atomic
def tariffs_set(*, actor, agreement: Agreement, rows: list[TariffRow]) -> int:
    """Set (add or replace) tariffs of an agreement from checked rows (demo, forms)."""
    require(actor, Perm.PROVIDER_MANAGE, on=agreement.provider.organisation)
    codes = [r.item_code for r in rows]
    NegotiatedTariff.objects.filter(agreement=agreement, item_code__in=codes).delete()
    NegotiatedTariff.objects.bulk_create(
        [
            NegotiatedTariff(
                agreement=agreement,
                item_code=r.item_code,
                price=r.price,
                flat_rate=r.flat_rate,
                flat_basis=r.flat_basis if r.flat_rate is not None else "",
            )
            for r in rows
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="agreement.tariffs_set",
        target=agreement,
        organisation=agreement.provider.organisation,
        data={"rows": len(rows)},
    )
    return len(rows)

"""Why a line was rejected or adjusted, in the reader's language (DOMAIN §7).

The engine stores a code and its parameters (`engine.reasons`); lines keep
them as JSON. This is the one mapping from code (and variant chosen by the
parameters) to a translated sentence, used by the claim page, the
explanation of benefits, the provider's export and the API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

REASONS = {
    "unknown_item": _("Item {item} is not in the mutual's catalogue."),
    "not_in_price_list": _("Item {item} is not in the provider's agreement."),
    "not_in_package": _("Item {item} is not covered by the member's benefit package."),
    "clinical_applicability": _("This act does not apply to this patient ({applies})."),
    "frequency": _("Frequency limit reached: at most {max} {unit} per {window}."),
    "duplicate": _("Already claimed for the same patient, provider and day."),
    "not_covered": _("The beneficiary was not covered on this date."),
    "not_covered.suspended": _("The membership was suspended on this date."),
    "not_covered.cover_ended": _("The cover ended on {cover_ended}."),
    "not_covered.arrears": _("Contributions unpaid since {arrears_since}."),
    "not_a_member": _("Not a member on this date (status: {status})."),
    "invalid_diagnosis": _("Diagnosis {code} is not an ICD-10 code."),
    "invalid_date": _("The date of care is not valid."),
    "invalid_date.future": _("The date of care is in the future."),
    "invalid_date.before_birth": _("The date of care is before the patient's birth."),
    "invalid_date.outside_stay": _("The date of this line is outside the stay."),
    "invalid_date.late": _("The claim arrived after the deadline ({deadline})."),
    "care_type": _("This item is not given as {care_type}."),
    "count_limit": _("Limit reached: at most {max} {unit} per {window}."),
    "waiting_period": _("Waiting period running until {until}."),
    "referral_missing": _("A referral from the first-contact facility is required."),
    "referral_missing.authorisation": _("Prior authorisation by the mutual is required."),
    "agreement_invalid": _("The provider had no valid agreement on {on}."),
    "invalid_claim": _("The claim is incomplete or malformed ({field})."),
    "ceiling_reached": _("The ceiling of {amount} is reached."),
    "medical_review": _("Changed by the mutual's medical adviser."),
    "medical_review.not_justified": _("Medical review: the care was not medically justified."),
    "medical_review.excessive_quantity": _(
        "Medical review: the quantity is above what the treatment needs."
    ),
    "medical_review.not_performed": _("Medical review: the care was not given."),
    "medical_review.price": _("Medical review: the amount is not justified."),
    "medical_review.other": _("Changed by the mutual's medical adviser."),
}

# Why the medical adviser changed a line (the codes of `review.REVIEW_REASONS`).
REVIEW_REASONS = {
    "not_justified": _("Not medically justified"),
    "excessive_quantity": _("Quantity above the need"),
    "not_performed": _("Care not given"),
    "price": _("Amount not justified"),
    "other": _("Other (say it in the note)"),
}

# Why a claim was sampled for medical review.
SAMPLING = {
    "random": _("Drawn at random ({share} % of claims)."),
    "amount": _("Claimed amount above {above}."),
    "rare_act": _("Rare act: {items} (used fewer than {below} times in 12 months)."),
    "flagged_item": _("Item under watch: {items}."),
    "outlier_provider": _(
        "Provider's average claim {average}, above {factor} × the average of its type "
        "({kind_average})."
    ),
}

NOTES = {
    "tariff": _("Price reduced to the agreed tariff of {tariff} per unit."),
    "flat_rate": _("Amount capped at the flat rate of {amount} {per}."),
    "deductible": _("{amount} paid by the member as deductible."),
    "fixed_copay": _("Fixed co-payment of {amount} paid by the member."),
    "ceiling": _("The mutual's share is capped by a ceiling of {amount} ({scope})."),
}

STATUS = {
    "candidate": _("candidate"),
    "active": _("active"),
    "suspended": _("suspended"),
    "resigned": _("resigned"),
    "excluded": _("excluded"),
    "deceased": _("deceased"),
    "unknown": _("unknown"),
}
CARE = {
    "in_patient": _("in-patient care"),
    "out_patient": _("out-patient care"),
    "both": _("in- or out-patient care"),
}
UNITS = {"quantity": _("units"), "visits": _("visits")}
SEX = {"F": _("women only"), "M": _("men only")}
SCOPES = {
    "act": _("per act"),
    "visit": _("per visit"),
    "episode": _("per episode"),
    "beneficiary": _("per beneficiary"),
    "household": _("per household"),
}
PER = {"visit": _("per visit"), "episode": _("per episode")}
FIELDS = {
    "claim": _("claim"),
    "diagnoses": _("diagnosis"),
    "quantity": _("quantity"),
    "unit_price": _("price"),
}


def json_params(params) -> dict:
    """Parameters as JSON values: dates ISO, Decimals as strings, enums as values."""
    out = {}
    for key, value in dict(params).items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple | list | set | frozenset):
            value = [str(v) for v in value]
        out[key] = value
    return out


def _variant(code: str, p: dict) -> str:
    if code == "not_covered":
        if p.get("membership") == "suspended":
            return "not_covered.suspended"
        if p.get("arrears_since"):
            return "not_covered.arrears"
        if p.get("cover_ended"):
            return "not_covered.cover_ended"
    if code == "invalid_date" and p.get("reason"):
        return f"invalid_date.{p['reason']}"
    if code == "referral_missing" and p.get("document") == "authorisation":
        return "referral_missing.authorisation"
    if code == "medical_review" and p.get("why"):
        return f"medical_review.{p['why']}"
    return code


def _window(label) -> str:
    label = str(label or "")
    if label.endswith("_days"):
        return str(_("{days} days")).format(days=label.removesuffix("_days"))
    labels = {"calendar_year": _("calendar year"), "cover_period": _("cover period")}
    return str(labels.get(label, label))


def _show(value, code: str) -> str:
    from mutualis.web.templatetags.mutualis import money

    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, Decimal):
        return money(value, code)
    return str(value)


def _values(p: dict, currency: str) -> dict:
    from mutualis.web.templatetags.mutualis import money

    values = {k: _show(v, currency) for k, v in p.items()}
    for key in ("amount", "tariff", "remaining"):
        if p.get(key) not in (None, ""):
            try:
                values[key] = money(Decimal(str(p[key])), currency)
            except ArithmeticError:
                pass
    if "membership" in p:
        values["status"] = str(STATUS.get(p["membership"], p["membership"]))
    if "care_type" in p:
        values["care_type"] = str(CARE.get(p["care_type"], p["care_type"]))
    if "unit" in p:
        values["unit"] = str(UNITS.get(p["unit"], p["unit"]))
    if "window" in p:
        values["window"] = _window(p["window"])
    if "scope" in p:
        values["scope"] = str(SCOPES.get(p["scope"], p["scope"]))
    if "per" in p:
        values["per"] = str(PER.get(p["per"], p["per"]))
    if "field" in p:
        values["field"] = str(FIELDS.get(p["field"], p["field"]))
    parts = []
    if p.get("sex"):
        parts.append(str(SEX.get(str(p["sex"]), p["sex"])))
    if p.get("min_age") is not None or p.get("max_age") is not None:
        parts.append(
            str(_("ages {low} to {high}")).format(
                low=p.get("min_age") or 0, high=p.get("max_age") or "…"
            )
        )
    values["applies"] = ", ".join(parts)
    return values


def reason_text(reason: dict, currency: str = "XOF") -> str:
    """One stored reason (`{"code", "params"}`) as a sentence in the active language."""
    code, p = reason.get("code", ""), reason.get("params") or {}
    text = REASONS.get(_variant(code, p)) or REASONS.get(code)
    if text is None:
        return code
    try:
        return str(text).format(**_values(p, currency))
    except (KeyError, IndexError, ValueError):
        return str(text)


def note_text(note: dict, currency: str = "XOF") -> str:
    code, p = note.get("code", ""), note.get("params") or {}
    text = NOTES.get(code)
    if text is None:
        return code
    try:
        return str(text).format(**_values(p, currency))
    except (KeyError, IndexError, ValueError):
        return str(text)


def sampling_text(reason: dict, currency: str = "XOF") -> str:
    """Why a claim was sampled for review, in the active language."""
    code, p = reason.get("code", ""), dict(reason.get("params") or {})
    text = SAMPLING.get(code)
    if text is None:
        return code
    values = _values(p, currency)
    for key in ("above", "average", "kind_average"):
        if p.get(key) not in (None, ""):
            values[key] = _values({"amount": p[key]}, currency)["amount"]
    if isinstance(p.get("items"), list):
        values["items"] = ", ".join(p["items"])
    try:
        return str(text).format(**values)
    except (KeyError, IndexError, ValueError):
        return str(text)

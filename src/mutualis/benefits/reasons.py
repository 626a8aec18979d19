"""Eligibility reasons in the user's language (the engine has no gettext).

The engine answers a code and its parameters (`engine.reasons.Reason`); this is
the one mapping from them to a translated sentence, used by the facility page,
the API and the package page. Some codes have variants chosen by their
parameters (not covered: suspended, no cover, arrears).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mutualis.engine.reasons import Reason

MESSAGES = {
    "not_a_member": _("Not a member on this date (status: {status})."),
    "not_covered.suspended": _("Membership suspended on this date."),
    "not_covered.no_cover": _("No active cover on this date."),
    "not_covered.cover_ended": _("Cover ended on {cover_ended}."),
    "not_covered.arrears": _("Contributions in arrears since {arrears_since}."),
    "not_covered": _("Not covered on this date."),
    "agreement_invalid": _("The facility has no valid agreement on {on}."),
    "unknown_item": _("Service {item} is not in the catalogue."),
    "not_in_price_list": _("Service {item} is not in this facility's price list."),
    "not_in_package": _("Service {item} is not covered by the member's package."),
    "clinical_applicability": _("This act does not apply to this patient ({applies})."),
    "care_type": _("This service is not given as {care_type}."),
    "waiting_period": _("Waiting period until {until}."),
    "referral_missing.referral": _("A referral from the first-contact facility is required."),
    "referral_missing.authorisation": _("Prior authorisation from the mutual is required."),
    "frequency": _("Frequency limit reached: at most {max} per {window}."),
    "count_limit": _("Limit reached: at most {max} {unit} per {window}."),
    "ceiling_reached": _("Ceiling of {amount} reached."),
    "duplicate": _("Already claimed."),
    "invalid_date": _("Invalid date."),
    "invalid_claim": _("Invalid claim."),
    "invalid_diagnosis": _("Unknown diagnosis."),
}

STATUS = {
    "candidate": _("candidate"),
    "active": _("active"),
    "suspended": _("suspended"),
    "resigned": _("resigned"),
    "excluded": _("excluded"),
    "deceased": _("deceased"),
}
CARE = {
    "in_patient": _("in-patient care"),
    "out_patient": _("out-patient care"),
    "both": _("in- or out-patient care"),
}
UNITS = {"quantity": _("units"), "visits": _("visits")}
SEX = {"F": _("women"), "M": _("men")}


def _window(label: str) -> str:
    if label.endswith("_days"):
        return str(_("{days} days")).format(days=label.removesuffix("_days"))
    return str(
        {"calendar_year": _("calendar year"), "cover_period": _("cover period")}.get(label, label)
    )


def variant(reason: Reason) -> str:
    code, p = reason.code.value, reason.params
    if code == "not_covered":
        if p.get("membership") == "suspended":
            return "not_covered.suspended"
        if "arrears_since" in p:
            return "not_covered.arrears"
        if p.get("cover") == "none":
            return "not_covered.cover_ended" if p.get("cover_ended") else "not_covered.no_cover"
    if code == "referral_missing":
        return f"referral_missing.{p.get('document', 'referral')}"
    return code


def _show_date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else str(value)


def reason_message(reason: Reason, currency_code: str = "XOF") -> str:
    """The reason as one sentence in the active language."""
    from mutualis.web.templatetags.mutualis import money

    p = dict(reason.params)
    key = variant(reason)
    values = {k: _show_date(v) if isinstance(v, date) else v for k, v in p.items()}
    if "membership" in p:
        values["status"] = str(STATUS.get(p["membership"], p["membership"]))
    if "care_type" in p:
        values["care_type"] = str(CARE.get(p["care_type"], p["care_type"]))
    if "unit" in p:
        values["unit"] = str(UNITS.get(p["unit"], p["unit"]))
    if "window" in p:
        values["window"] = _window(p["window"])
    if "amount" in p and isinstance(p["amount"], Decimal):
        values["amount"] = money(p["amount"], currency_code)
    if key == "clinical_applicability":
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
    text = str(MESSAGES.get(key, MESSAGES.get(reason.code.value, reason.code.value)))
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def json_params(params) -> dict:
    """Reason parameters as JSON values: dates ISO, Decimals as strings, enums as values."""
    out = {}
    for k, v in params.items():
        if isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, Decimal):
            v = str(v)
        elif isinstance(v, Enum):
            v = v.value
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out

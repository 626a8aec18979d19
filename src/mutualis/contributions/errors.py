"""Errors of the contributions app, and the translation of the engine's rule errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mutualis.core.errors import Conflict, DomainError, ValidationFailed
from mutualis.engine.contributions import RuleError


class ScheduleRatesByRisk(DomainError):
    code = "schedule_rates_by_risk"
    message = _(
        "A contribution schedule cannot vary by {criterion}: solidarity forbids rating "
        "people by age, sex or health. Use a member category, an income band or the "
        "household size, or a subsidy paid by a third party."
    )


class ScheduleInvalid(ValidationFailed):
    code = "schedule_invalid"


class PaymentInvalid(ValidationFailed):
    code = "payment_invalid"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for a different payment.")


class MemberLeft(Conflict):
    code = "household_left"
    message = _("No payment can be recorded: every member of household {number} has left.")


class AlreadyReversed(Conflict):
    code = "payment_already_reversed"
    message = _("This payment was already reversed.")


class StatementInvalid(ValidationFailed):
    code = "statement_invalid"


class DuplicateReference(ValidationFailed):
    code = "duplicate_operator_reference"
    message = _(
        "The operator reference {reference} appears twice in the file (lines {first} and "
        "{second}). Nothing was imported."
    )


class PeriodInvalid(ValidationFailed):
    code = "period_invalid"
    message = _("“{period}” is not a period: write 2026-11 (a month) or 2026 (a year).")


class NoSchedule(ValidationFailed):
    code = "no_schedule"
    message = _("This mutual has no active contribution schedule.")


# Engine rule codes → (field, message). The engine has no gettext; the edge translates.
_ENGINE_MESSAGES = {
    "schedule_unknown_criterion": (
        "varies_by",
        _("A schedule can vary by member category, income band or household size only."),
    ),
    "schedule_negative_amount": ("{field}", _("An amount cannot be negative.")),
    "schedule_invalid_amount": ("{field}", _("This is not a valid amount or share.")),
    "schedule_floor_above_ceiling": ("floor", _("The floor is above the ceiling.")),
    "schedule_unknown_currency": ("currency", _("Unknown currency.")),
    "schedule_missing_field": ("{field}", _("This field is required for this kind of schedule.")),
    "schedule_duplicate_rate": ("rates", _("The same key appears twice in the rates.")),
    "subsidy_invalid": (
        "subsidies",
        _("A subsidy needs a payer and either a share between 0 and 1 or a fixed amount."),
    ),
    "schedule_invalid": ("kind", _("Unknown kind, period or pro rata.")),
    "payment_amount_not_positive": ("amount", _("The amount must be more than zero.")),
    "payment_invalid_amount": ("amount", _("This is not a valid amount.")),
    "payment_unknown_due": ("dues", _("One of the chosen dues is not open for this household.")),
    "payment_due_already_paid": ("dues", _("One of the chosen dues is already paid.")),
    "payment_reversal_reason_required": ("reason", _("Give the reason for the reversal.")),
}


def from_rule_error(exc: RuleError) -> DomainError:
    """The translated DomainError for an engine rule error."""
    if exc.code == "schedule_rates_by_risk":
        criterion = str(exc.params.get("criterion", ""))
        labels = {"age": _("age"), "sex": _("sex"), "health": _("health status")}
        return ScheduleRatesByRisk(
            criterion=labels.get(criterion, criterion),
            fields={"varies_by": _("Age, sex and health status are not allowed.")},
        )
    field, message = _ENGINE_MESSAGES.get(exc.code, ("", _("Invalid request.")))
    field = field.format(**{k: str(v) for k, v in exc.params.items()}) if field else ""
    field = field.split("[")[0]
    cls = PaymentInvalid if exc.code.startswith("payment") else ScheduleInvalid
    error = cls(message, fields={field: message} if field else {})
    error.code = exc.code
    return error

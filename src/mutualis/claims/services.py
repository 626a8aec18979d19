"""Writes of the claims app: intake, the single-claim adjudication path, corrections,
appeals and paper batches (DOMAIN §7).

`claim_submit` is the one way a claim enters (web, API or paper batch): it
checks the input at the edge (unknown card, future date, bad quantity,
unknown item or diagnosis → a clear error, nothing stored), locks the
household's `ConsumptionCounter` row (`select_for_update`), replays an
idempotency key, loads the engine's context through selectors, runs
`engine.adjudication.adjudicate_claim`, and stores the claim, its decided
lines, its story and the counter in the same transaction. The lock makes two
concurrent claims of one household wait for each other, so they cannot both
spend the same remaining ceiling.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core import rows
from mutualis.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mutualis.core.roles import Perm, Role
from mutualis.core.scope import grants, has_perm, provider_ids, require
from mutualis.core.services import audit_event, audit_record
from mutualis.engine import benefits as eb
from mutualis.engine.adjudication import Claim as EngineClaim
from mutualis.engine.adjudication import ClaimContext, adjudicate_claim
from mutualis.engine.adjudication import ClaimLine as EngineLine
from mutualis.providers.selectors import agreement_facts

from . import facts
from .authorisations import authorisation_reference
from .models import (
    AppealStatus,
    BatchState,
    CareType,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimLine,
    ClaimSource,
    ClaimStatus,
    ConsumptionCounter,
    EventKind,
    LineAppeal,
    LineStatus,
)
from .reasons import json_params
from .review import DECIDED, sample_for_review

MAX_LINES = 100


class UnknownBeneficiary(ValidationFailed):
    code = "unknown_beneficiary"
    message = _("No beneficiary has card number {number}.")


class InvalidDate(ValidationFailed):
    code = "invalid_date"
    message = _("The dates of care are not valid.")


class InvalidLines(ValidationFailed):
    code = "invalid_claim"
    message = _("Some lines of the claim are not valid.")


class UnknownItem(ValidationFailed):
    code = "unknown_item"
    message = _("Some items are not in the mutual's catalogue.")


class InvalidDiagnosis(ValidationFailed):
    code = "invalid_diagnosis"
    message = _("Give at least one diagnosis as an ICD-10 code from the WHO list.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for a different claim.")


class CorrectionMismatch(Conflict):
    code = "correction_mismatch"
    message = _("A correction must be for the same provider and beneficiary as the original.")


class AlreadyReplaced(Conflict):
    code = "already_replaced"
    message = _("This claim was already replaced by a correction.")


class AppealNotAllowed(Conflict):
    code = "appeal_not_allowed"
    message = _("Only a rejected or reduced line can be appealed, once at a time.")


class BatchTotalsMismatch(Conflict):
    code = "batch_totals_mismatch"
    message = _(
        "The batch declares {declared_count} claims for {declared_amount}, "
        "but {count} claims for {amount} were keyed."
    )


class BatchClosed(Conflict):
    code = "batch_closed"
    message = _("This batch is closed.")


@dataclass(frozen=True)
class LineInput:
    item: str
    quantity: int
    unit_price: Decimal
    on: date | None = None


@dataclass(frozen=True)
class ClaimInput:
    """A claim as typed or posted: the beneficiary by card number, then the care."""

    card_number: str
    start_on: date
    lines: tuple[LineInput, ...]
    care_type: str = CareType.OUT_PATIENT
    end_on: date | None = None
    diagnoses: tuple[str, ...] = ()
    referral: str = ""
    authorisation: str = ""
    episode: str = ""
    provider_reference: str = ""
    extra: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        payload = {
            "card": self.card_number.strip(),
            "start": self.start_on.isoformat(),
            "end": self.end_on.isoformat() if self.end_on else None,
            "care": str(self.care_type),
            "dx": [d.strip().upper() for d in self.diagnoses],
            "lines": [
                [ln.item.strip(), ln.quantity, str(ln.unit_price), str(ln.on or "")]
                for ln in self.lines
            ],
            "ref": [self.referral, self.authorisation, self.episode, self.provider_reference],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def local_today(organisation) -> date:
    """Today in the mutual's time zone (DOMAIN: a mutual's day is in its zone)."""
    return timezone.localtime(timezone.now(), ZoneInfo(organisation.time_zone)).date()


# --- Checks at the edge --------------------------------------------------------------


def _find_membership(number: str, codes=()):
    """(membership, {code: stored catalogue item}) for a card number, in one query."""
    from mutualis.benefits.selectors import membership_with_items

    number = (number or "").strip().replace(" ", "")
    m, items = membership_with_items(number, codes) if number else (None, {})
    if m is None:
        raise UnknownBeneficiary(number=number, fields={"card_number": _("Unknown card number.")})
    return m, items


def _check_actor(actor, provider, membership) -> None:
    """A provider's agent enters for the own provider; staff within their scope."""
    if not getattr(actor, "is_authenticated", False):
        require(actor, Perm.CLAIM_ENTER)
    agent_of = provider_ids(actor)
    if provider.pk in agent_of:
        return
    try:
        require(actor, Perm.CLAIM_ENTER, on=membership.section)
    except NotFound:
        # Outside the actor's scope the card does not exist for them.
        raise UnknownBeneficiary(
            number=membership.number, fields={"card_number": _("Unknown card number.")}
        ) from None
    if any(g.role == Role.PROVIDER_AGENT for g in grants(actor)) and not has_perm(
        actor, Perm.CLAIM_ADJUDICATE
    ):
        raise Forbidden()


def _check_input(data: ClaimInput, today: date, catalogue: dict) -> None:
    if data.care_type not in CareType.values:
        raise InvalidLines(fields={"care_type": _("Choose in-patient or out-patient.")})
    date_errors = {}
    if data.start_on > today:
        date_errors["start_on"] = _("The date of care is in the future.")
    if data.end_on is not None:
        if data.end_on < data.start_on:
            date_errors["end_on"] = _("The discharge date is before the date of care.")
        elif data.end_on > today:
            date_errors["end_on"] = _("The discharge date is in the future.")
    if date_errors:
        raise InvalidDate(fields=date_errors)
    if not data.lines:
        raise InvalidLines(fields={"lines": _("Add at least one line.")})
    if len(data.lines) > MAX_LINES:
        raise InvalidLines(fields={"lines": _("At most 100 lines per claim.")})
    line_errors, unknown = {}, {}
    end = data.end_on or data.start_on
    for i, ln in enumerate(data.lines):
        if type(ln.quantity) is not int or ln.quantity <= 0:
            line_errors[f"lines.{i}.quantity"] = _("The quantity must be a whole number above 0.")
        if not isinstance(ln.unit_price, Decimal) or not ln.unit_price.is_finite():
            line_errors[f"lines.{i}.unit_price"] = _("The price must be a number.")
        elif ln.unit_price < 0:
            line_errors[f"lines.{i}.unit_price"] = _("The price cannot be negative.")
        if ln.on is not None and not (data.start_on <= ln.on <= end):
            line_errors[f"lines.{i}.on"] = _("The date of the line is outside the care dates.")
        if not ln.item.strip():
            line_errors[f"lines.{i}.item"] = _("The item code is missing.")
        elif ln.item.strip() not in catalogue:
            unknown[f"lines.{i}.item"] = str(_("Unknown item code {code}.")).format(
                code=ln.item.strip()
            )
    if line_errors:
        raise InvalidLines(fields=line_errors)
    if unknown:
        raise UnknownItem(fields=unknown)
    bad = {
        f"diagnoses.{i}": str(_("{code} is not an ICD-10 code.")).format(code=d)
        for i, d in enumerate(data.diagnoses)
        if not facts.icd10_valid(d)
    }
    if not data.diagnoses:
        bad["diagnoses"] = _("Give at least one diagnosis.")
    if bad:
        raise InvalidDiagnosis(fields=bad)


# --- Submission and adjudication -------------------------------------------------------


_LOCK_SQL = (
    "INSERT INTO {t} (household_id, claims, accepted, mutual_share) VALUES (%s, 1, 0, 0)"
    " ON CONFLICT (household_id) DO UPDATE SET claims = {t}.claims + 1"
)


def _lock_household(household_id: int) -> None:
    """Take the household's counter row lock until commit, in one statement: an upsert
    creates the row the first time and otherwise updates (so locks) it."""
    from django.db import connection

    sql = _LOCK_SQL.format(t=ConsumptionCounter._meta.db_table)  # a table name, no input
    with connection.cursor() as cursor:
        cursor.execute(sql, [household_id])


_COUNTER_ADD_SQL = (
    "UPDATE {t} SET accepted = accepted + %s, mutual_share = mutual_share + %s"
    " WHERE household_id = %s"
)
# The literal condition, the index's own, lets a prepared statement's generic plan
# use the partial unique index (provider, key) WHERE NOT key = '': with the key as
# a parameter only, PostgreSQL cannot prove the index applies and scans the
# provider's claims instead (SQLite wants the condition written as in the index).
_REPLAY_SQL = (
    "SELECT id, fingerprint FROM {t}"
    " WHERE provider_id = %s AND idempotency_key = %s AND NOT (idempotency_key = '')"
)


def _replay(provider, key: str, fingerprint: str) -> Claim | None:
    """The claim already stored under this provider's idempotency `key`, if any."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_REPLAY_SQL.format(t=Claim._meta.db_table), [provider.pk, key])
        row = cursor.fetchone()
    if row is None:
        return None
    if row[1] != fingerprint:
        raise IdempotencyKeyReused()
    existing = Claim.objects.select_related("membership").get(pk=row[0])
    existing.replayed = True
    return existing


@transaction.atomic
def claim_submit(
    *,
    actor,
    provider,
    data: ClaimInput,
    key: str = "",
    source: str = ClaimSource.WEB,
    batch: ClaimBatch | None = None,
    corrects: Claim | None = None,
    today: date | None = None,
    defer: bool = False,
) -> Claim:
    """Enter one claim and decide it at once with the engine; returns the stored claim.

    With `defer`, the claim is checked the same way but stored *Entered*, undecided,
    for the batch adjudication (`claims.batch.claims_adjudicate`); a correction is
    always decided at once. The same `key` with the same data returns the first
    claim (`claim.replayed` is True); with other data it is a Conflict.

    Every row is written by `core.rows.insert_family` (no query compiler; one
    statement on PostgreSQL): this is the path a provider's software calls per patient.
    """
    if defer and corrects is not None:
        raise ValidationFailed(fields={"defer": _("A correction is decided at once.")})
    codes = {ln.item.strip() for ln in data.lines}
    membership, items = _find_membership(data.card_number, codes)
    _check_actor(actor, provider, membership)
    mutual = membership.mutual
    today = today or local_today(mutual)
    catalogue = facts.catalogue(mutual.pk, codes, items)
    _check_input(data, today, catalogue)
    if batch is not None and batch.state != BatchState.OPEN:
        raise BatchClosed()
    if corrects is not None:
        correction_check(actor, corrects)
        if corrects.provider_id != provider.pk or corrects.membership_id != membership.pk:
            raise CorrectionMismatch()

    _lock_household(membership.household_id)
    fingerprint = data.fingerprint()
    key = (key or "").strip()[:100]
    if key:
        existing = _replay(provider, key, fingerprint)
        if existing is not None:
            return existing

    submitted = batch.received_on if batch is not None else today
    claim = rows.new(
        Claim,
        {
            "mutual": mutual,
            "section": membership.section,
            "provider": provider,
            "membership": membership,
            "batch": batch,
            "corrects": corrects,
            "entered_by": actor,
        },
        household_id=membership.household_id,
        source=source,
        idempotency_key=key,
        fingerprint=fingerprint,
        provider_reference=data.provider_reference[:64],
        care_type=data.care_type,
        start_on=data.start_on,
        end_on=data.end_on,
        submitted_on=submitted,
        diagnoses=[d.strip().upper() for d in data.diagnoses],
        referral=data.referral[:64],
        authorisation=data.authorisation[:64],
        episode=data.episode[:64],
        status=ClaimStatus.ENTERED,
        currency=mutual.currency,
    )
    if defer:
        lines = _entered_lines(claim, data, catalogue, mutual)
        decision = None
    else:
        decision = _decide(claim, data, membership, provider, catalogue, today, corrects)
        lines = _decided_lines(claim, data, catalogue, decision)
    entered = {"source": source, "lines": len(data.lines)}
    events = [
        rows.new(
            ClaimEvent,
            {"actor": actor if getattr(actor, "pk", None) else None},
            kind=EventKind.ENTERED,
            status=ClaimStatus.ENTERED,
            data={**entered, "deferred": True} if defer else entered,
        )
    ]
    also = []
    if decision is not None:
        events.append(
            rows.new(
                ClaimEvent,
                kind=EventKind.DECIDED,
                status=claim.status,
                data={
                    "by": "rules",
                    "reasons": sorted({r.code.value for ld in decision.lines for r in ld.reasons}),
                    "mutual_share": str(claim.mutual_share),
                },
            )
        )
        counter = _COUNTER_ADD_SQL.format(t=ConsumptionCounter._meta.db_table)  # a table name
        also.append((counter, [decision.accepted, decision.mutual_share, claim.household_id]))
    audit = audit_event(
        actor=actor,
        action="claim.defer" if defer else "claim.submit",
        target_type=Claim._meta.label_lower,
        organisation=membership.section,
        data={"source": source, "lines": len(data.lines)}
        if defer
        else {"status": claim.status, "source": source, "lines": len(data.lines)},
    )  # the rules' decision; a sampling for review is its own event below
    # The claim, its history row, lines, events, audit event and the household's
    # counter: one statement on PostgreSQL (core.rows.insert_family).
    rows.insert_family(
        claim,
        [("claim_id", lines), ("claim_id", events), ("target_id", [audit])],
        history=True,
        also=also,
    )
    rows.prefetched(claim, "lines", lines)  # the answer needs no re-read
    if corrects is not None:
        Claim.objects.filter(pk=corrects.pk).update(status=ClaimStatus.REPLACED)
        ClaimEvent.objects.create(
            claim=corrects,
            actor=actor,
            kind=EventKind.CORRECTED,
            status=ClaimStatus.REPLACED,
            data={"by_claim": claim.pk},
        )
    if claim.status in DECIDED:  # paid at least in part: may be sampled
        known = (claim.pk, claim.claimed, provider.pk, provider.kind, claim.start_on,
                 claim.household_id, claim.section_id)  # fmt: skip
        if sample_for_review(mutual=mutual, claim_ids=[claim.pk], rows=[known]):
            claim.status = ClaimStatus.UNDER_REVIEW
    claim.replayed = False
    return claim


def _decide(claim, data, membership, provider, catalogue, today, corrects):
    """Run the engine on the claim with its context; fills the claim's totals."""
    codes = set(catalogue)
    member, packages = facts.member_and_packages(membership, data.start_on)
    consumption, previous = facts.household_history(
        household_id=membership.household_id,
        membership_id=membership.pk,
        provider_id=provider.pk,
        start=data.start_on,
    )
    context = ClaimContext(
        catalogue=catalogue,
        agreements=agreement_facts([provider.pk], codes),
        members={str(membership.pk): member},
        packages=packages,
        diagnoses=frozenset(d for d in data.diagnoses if facts.icd10_valid(d)),
        today=today,
        consumption=consumption,
        previous_claims=previous,
    )
    engine_claim = EngineClaim(
        id="new",
        beneficiary_id=str(membership.pk),
        provider_id=str(provider.pk),
        start=data.start_on,
        submitted=claim.submitted_on,
        lines=tuple(
            EngineLine(ln.item.strip(), ln.quantity, ln.unit_price, ln.on) for ln in data.lines
        ),
        care_type=eb.CareType(data.care_type),
        end=data.end_on,
        diagnoses=tuple(d.strip().upper() for d in data.diagnoses),
        referral=data.referral or None,
        authorisation=authorisation_reference(
            data.authorisation,
            membership_id=membership.pk,
            provider_id=provider.pk,
            on=data.start_on,
        ),
        corrects=str(corrects.pk) if corrects is not None else None,
        episode=data.episode or None,
    )
    decision = adjudicate_claim(engine_claim, context)
    claim.status = ClaimStatus(decision.status.value)
    claim.claimed = decision.claimed
    claim.accepted = decision.accepted
    claim.mutual_share = decision.mutual_share
    claim.member_share = decision.member_share
    claim.payee = decision.payee.value
    claim.decided_at = timezone.now()
    return decision


def _decided_lines(claim, data, catalogue, decision) -> list[ClaimLine]:
    item_rules = item_rule_lines(decision)
    return [
        rows.new(
            ClaimLine,
            position=ld.index,
            item_code=ld.item,
            category=catalogue[ld.item].category,
            quantity=ld.quantity,
            unit_price=data.lines[ld.index].unit_price,
            on=data.lines[ld.index].on or data.start_on,
            status=LineStatus(ld.status.value),
            reasons=[{"code": r.code.value, "params": json_params(r.params)} for r in ld.reasons],
            notes=[{"code": n.code.value, "params": json_params(n.params)} for n in ld.notes],
            accepted_quantity=ld.accepted_quantity,
            claimed=ld.claimed,
            accepted=ld.accepted,
            mutual_share=ld.mutual_share,
            member_share=ld.member_share,
            deductible=line_deductible(ld),
            payee=ld.payee.value,
            package_id=int(ld.package_id) if ld.package_id else None,
            item_rule=item_rules.get(ld.index, False),
        )
        for ld in decision.lines
    ]


def _entered_lines(claim, data, catalogue, mutual) -> list[ClaimLine]:
    """Undecided lines (status and payee empty) of a claim stored for the batch."""
    q = mutual.money.quantize
    claimed = [q(ln.unit_price * ln.quantity) for ln in data.lines]
    claim.claimed = sum(claimed, Decimal(0))
    zero = Decimal(0)
    return [
        rows.new(
            ClaimLine,
            position=i,
            item_code=ln.item.strip(),
            category=catalogue[ln.item.strip()].category,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            on=ln.on or data.start_on,
            status="",
            claimed=claimed[i],
            accepted=zero,
            mutual_share=zero,
            member_share=zero,
            payee="",
        )
        for i, ln in enumerate(data.lines)
    ]


# --- Corrections --------------------------------------------------------------------


def correction_check(actor, claim: Claim) -> None:
    """May `actor` replace `claim` by a correction? The provider's agent (own claims)
    and staff who adjudicate claims in its section; a claim is replaced once."""
    if claim.provider_id not in provider_ids(actor):
        require(actor, Perm.CLAIM_ADJUDICATE, on=claim.section)
    if claim.status == ClaimStatus.REPLACED:
        raise AlreadyReplaced()


def claim_correct(*, actor, original: Claim, data: ClaimInput, key: str = "") -> Claim:
    """Enter a correction of `original` (same provider and beneficiary): the
    correction is decided at once and the original becomes *Replaced*. A paper
    claim's correction stays in its batch while the batch is open."""
    correction_check(actor, original)
    batch = original.batch
    if batch is not None and batch.state != BatchState.OPEN:
        batch = None
    return claim_submit(
        actor=actor,
        provider=original.provider,
        data=data,
        key=key,
        source=ClaimSource.PAPER if batch is not None else ClaimSource.WEB,
        batch=batch,
        corrects=original,
    )


def line_deductible(ld) -> Decimal:
    """The deductible a decided engine line carried (0 if none), as stored on the line."""
    for note in ld.notes:
        if note.code.value == "deductible":
            return Decimal(note.params["amount"])
    return Decimal(0)


def item_rule_lines(decision) -> dict[int, bool]:
    """Line index → priced under an item rule (consumption records follow accepted lines)."""
    accepted = [ld.index for ld in decision.lines if ld.accepted_quantity]
    return {i: r.item_rule for i, r in zip(accepted, decision.consumption, strict=False)}


# --- Appeals ------------------------------------------------------------------------


@transaction.atomic
def line_appeal(*, actor, line: ClaimLine, reason: str) -> LineAppeal:
    """A provider appeals a rejected or reduced line; the claim goes to medical review."""
    claim = line.claim
    if claim.provider_id not in provider_ids(actor):
        require(actor, Perm.CLAIM_ENTER, on=claim.section)
    if not reason.strip():
        raise ValidationFailed(fields={"reason": _("Say why the line should be paid.")})
    reduced = line.status != LineStatus.ACCEPTED or any(
        n.get("code") == "tariff" for n in line.notes
    )
    if (
        not reduced
        or claim.status == ClaimStatus.REPLACED
        or line.appeals.filter(status=AppealStatus.OPEN).exists()
    ):
        raise AppealNotAllowed()
    appeal = LineAppeal.objects.create(line=line, reason=reason.strip(), filed_by=actor)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.UNDER_REVIEW)
    claim.status = ClaimStatus.UNDER_REVIEW
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        kind=EventKind.APPEALED,
        status=ClaimStatus.UNDER_REVIEW,
        data={"line": line.position + 1, "item": line.item_code},
    )
    audit_record(
        actor=actor,
        action="claim.appeal",
        target=claim,
        organisation=claim.section,
        data={"line": line.position + 1},
    )
    return appeal


# --- Paper batches (bordereaux) ------------------------------------------------------


@transaction.atomic
def batch_open(
    *,
    actor,
    provider,
    mutual,
    reference: str,
    period: date,
    received_on: date,
    declared_count: int,
    declared_amount: Decimal,
) -> ClaimBatch:
    """Register a provider's monthly paper batch with its control totals."""
    require(actor, Perm.CLAIM_ADJUDICATE, on=mutual)
    errors = {}
    if not reference.strip():
        errors["reference"] = _("The reference is required.")
    elif ClaimBatch.objects.filter(provider=provider, reference=reference.strip()).exists():
        errors["reference"] = _("This batch was already registered.")
    if declared_count < 1:
        errors["declared_count"] = _("A batch holds at least one claim.")
    if declared_amount < 0:
        errors["declared_amount"] = _("The amount cannot be negative.")
    if received_on > local_today(mutual):
        errors["received_on"] = _("The received date is in the future.")
    if errors:
        raise ValidationFailed(fields=errors)
    batch = ClaimBatch.objects.create(
        mutual=mutual,
        provider=provider,
        reference=reference.strip(),
        period=period.replace(day=1),
        received_on=received_on,
        declared_count=declared_count,
        declared_amount=mutual.money.quantize(declared_amount),
        entered_by=actor,
    )
    audit_record(actor=actor, action="claim_batch.open", target=batch, organisation=mutual)
    return batch


def batch_totals(batch: ClaimBatch) -> tuple[int, Decimal]:
    claims = batch.claims.exclude(status=ClaimStatus.REPLACED)
    count = claims.count()
    amount = sum((c for c in claims.values_list("claimed", flat=True)), Decimal(0))
    return count, batch.mutual.money.quantize(amount)


@transaction.atomic
def batch_close(*, actor, batch: ClaimBatch) -> ClaimBatch:
    """Close a batch once the keyed claims match its control totals."""
    require(actor, Perm.CLAIM_ADJUDICATE, on=batch.mutual)
    if batch.state != BatchState.OPEN:
        raise BatchClosed()
    count, amount = batch_totals(batch)
    if count != batch.declared_count or amount != batch.declared_amount:
        raise BatchTotalsMismatch(
            declared_count=batch.declared_count,
            declared_amount=batch.declared_amount,
            count=count,
            amount=amount,
        )
    batch.state = BatchState.CLOSED
    batch.closed_at = timezone.now()
    batch.save(update_fields=["state", "closed_at"])
    audit_record(
        actor=actor,
        action="claim_batch.close",
        target=batch,
        organisation=batch.mutual,
        data={"count": count, "amount": str(amount)},
    )
    return batch

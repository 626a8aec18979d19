"""Automatic adjudication of claims, line by line (DOMAIN §6, §7).

Owns the claim as the engine sees it, the context it is judged in, and the
decision: per line a status (accepted, partially accepted, rejected), every
reason with its parameters (DOMAIN §7 codes, ``reasons.py``), the accepted
quantity and amount, the mutual's and the member's shares and the payee.

Pricing order (DOMAIN §7): cap the price at the provider's tariff (or flat
rate) -> deductible -> coverage rate or fixed co-payment (once per visit) ->
cap the mutual's share at every remaining ceiling -> round to the currency's
minor unit; the member's share is the accepted amount minus the mutual's.
Ceilings never reject a line; count and frequency limits cut the quantity.

Limits are consumed in order of service date then claim id, only by accepted
lines. ``adjudicate_claim`` is ``adjudicate_many`` with one claim, so both
decide alike; each decision lists the ``Consumption`` its lines add. The batch
path (``claims.batch``) uses ``adjudicate_in_order``: the same decision, in the
order the caller chose, each claim with its member's facts at its own date.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

from mutualis.engine.benefits import (
    Agreement,
    BenefitRule,
    CareType,
    CatalogueItem,
    Ceiling,
    FlatBasis,
    PackageBook,
    PackageVersion,
)
from mutualis.engine.eligibility import (
    Cover,
    MemberFacts,
    care_type_reason,
    choose_rule,
    count_reasons,
    covers_at,
    in_price_list,
    member_reasons,
    not_in_package,
    rule_reasons,
)
from mutualis.engine.limits import (
    Consumption,
    ConsumptionIndex,
    Position,
    applicable_ceilings,
    ceiling_left,
    deductible_left,
)
from mutualis.engine.money import Currency, currency
from mutualis.engine.reasons import Note, NoteCode, Reason, ReasonCode

_ZERO = Decimal(0)


class LineStatus(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class Payee(StrEnum):
    PROVIDER = "provider"  # third-party payment (FR: tiers payant)
    MEMBER = "member"  # reimbursement


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One act or item claimed; ``on`` defaults to the claim's first service day."""

    item: str
    quantity: int
    unit_price: Decimal
    on: date | None = None


@dataclass(frozen=True)
class Claim:
    """A provider's claim (FR: facture, demande de remboursement) for one beneficiary.

    ``end`` is the discharge date of a stay (None: one day). ``episode``
    groups the claims of one episode of care (None: the claim is its own).
    ``corrects`` is the id of the claim this one replaces.
    """

    id: str
    beneficiary_id: str
    provider_id: str
    start: date
    submitted: date
    lines: tuple[ClaimLine, ...]
    care_type: CareType = CareType.OUT_PATIENT
    end: date | None = None
    diagnoses: tuple[str, ...] = ()
    referral: str | None = None
    authorisation: str | None = None
    corrects: str | None = None
    episode: str | None = None


@dataclass(frozen=True)
class ClaimContext:
    """Everything a claim is judged against (no clock: ``today`` is given).

    ``packages`` are all versions of the packages (the one in force at the
    service date applies); ``diagnoses`` the known ICD-10 codes (dots and case
    ignored); ``consumption`` the records of lines accepted before;
    ``previous_claims`` the claims already received, for duplicates.
    """

    catalogue: Mapping[str, CatalogueItem]
    agreements: tuple[Agreement, ...]
    members: Mapping[str, MemberFacts]
    packages: tuple[PackageVersion, ...]
    diagnoses: frozenset[str]
    today: date
    consumption: tuple[Consumption, ...] = ()
    previous_claims: tuple[Claim, ...] = ()
    submission_deadline_days: int | None = None
    _book: PackageBook = field(init=False, repr=False, compare=False)
    _agreements: dict = field(init=False, repr=False, compare=False)
    _icd: frozenset[str] = field(init=False, repr=False, compare=False)
    _currency: Currency = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = {p.currency for p in self.packages}
        if len(codes) > 1:
            raise ValueError(f"packages in several currencies: {sorted(codes)}")
        by_provider: dict[str, list[Agreement]] = {}
        for a in self.agreements:
            by_provider.setdefault(a.provider_id, []).append(a)
        object.__setattr__(self, "_book", PackageBook(self.packages))
        object.__setattr__(self, "_agreements", by_provider)
        object.__setattr__(self, "_icd", frozenset(_icd(c) for c in self.diagnoses))
        object.__setattr__(self, "_currency", currency(codes.pop() if codes else "XOF"))

    def agreement_for(self, provider_id: str, on: date) -> Agreement | None:
        """The provider's agreement valid at ``on``, else its latest one, else None."""
        agreements = self._agreements.get(provider_id, ())
        for a in agreements:
            if a.valid_on(on):
                return a
        return max(agreements, key=lambda a: a.valid_from, default=None)


def _icd(code: str) -> str:
    return code.replace(".", "").strip().upper()


class LineDecision(NamedTuple):
    """The decision on one claim line (a named tuple: immutable and cheap to build).

    ``reasons`` say why a line is rejected or partially accepted; ``notes``
    record adjustments that reject nothing (``tariff``, ``deductible``,
    ``fixed_copay``, ``ceiling``), for the explanation of benefits.
    """

    index: int
    item: str
    status: LineStatus
    reasons: tuple[Reason, ...]
    notes: tuple[Note, ...]
    quantity: int
    accepted_quantity: int
    claimed: Decimal
    accepted: Decimal
    mutual_share: Decimal
    member_share: Decimal
    payee: Payee
    package_id: str | None = None


@dataclass(frozen=True)
class ClaimDecision:
    """The decision on a claim: its lines, totals and the consumption to persist."""

    claim_id: str
    status: LineStatus
    lines: tuple[LineDecision, ...]
    claimed: Decimal
    accepted: Decimal
    mutual_share: Decimal
    member_share: Decimal
    payee: Payee
    consumption: tuple[Consumption, ...]


def adjudicate_claim(claim: Claim, context: ClaimContext) -> ClaimDecision:
    """Decide one claim; the same as ``adjudicate_many([claim], context)``."""
    return adjudicate_many([claim], context)[0]


def adjudicate_many(claims: Iterable[Claim], context: ClaimContext) -> list[ClaimDecision]:
    """Decide claims in order of service date then claim id; answers in the order given.

    Each accepted line consumes limits before the next line is decided, so
    the answer does not depend on the order the claims are given in.
    """
    claims = list(claims)
    if len({c.id for c in claims}) != len(claims):
        raise ValueError("claim ids must be unique in a batch")
    run = _Run(context)
    order = sorted(range(len(claims)), key=lambda i: (claims[i].start, claims[i].id))
    out: list[ClaimDecision | None] = [None] * len(claims)
    # A batch allocates millions of small acyclic objects; the cyclic garbage
    # collector would scan them again and again for nothing (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for i in order:
            out[i] = run.decide(claims[i])
    finally:
        if collecting:
            gc.enable()
    return out  # type: ignore[return-value]


_CONTEXT = object()  # decide(): take the member's facts from the context


def adjudicate_in_order(
    items: Iterable[tuple[Claim, MemberFacts | None]], context: ClaimContext
) -> list[ClaimDecision]:
    """Decide claims one after the other in the order given (the batch path).

    Each item is a claim with its member's facts at the claim's date (None:
    not a member), which overrides ``context.members``; each accepted line
    consumes limits before the next claim is decided, as in ``adjudicate_many``.
    The caller orders the claims (service date, then claim number).
    """
    run = _Run(context)
    out: list[ClaimDecision] = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        seen: set[str] = set()
        for claim, member in items:
            if claim.id in seen:
                raise ValueError("claim ids must be unique in a batch")
            seen.add(claim.id)
            out.append(run.decide(claim, member))
    finally:
        if collecting:
            gc.enable()
    return out


class _Run:
    """One batch: the context plus consumption and claims seen so far."""

    def __init__(self, ctx: ClaimContext) -> None:
        self.ctx = ctx
        self.cur = ctx._currency
        self.zero = self.cur.zero()
        # Currency.quantize's rounding, with the step computed once for the batch.
        self.step = self.cur.step
        self.plans: dict[tuple, _Plan | None] = {}
        self.index = ConsumptionIndex(ctx.consumption)
        self.seen: dict[tuple, set[str]] = {}
        for c in ctx.previous_claims:
            self._remember(c)
        self.deadline = (
            None
            if ctx.submission_deadline_days is None
            else timedelta(days=ctx.submission_deadline_days)
        )

    def _remember(self, claim: Claim, lines: Iterable[ClaimLine] | None = None) -> None:
        seen = self.seen
        for line in claim.lines if lines is None else lines:
            key = (claim.beneficiary_id, claim.provider_id, claim.start, line.item)
            ids = seen.get(key)
            if ids is None:
                seen[key] = {claim.id}
            else:
                ids.add(claim.id)

    def _claim_reasons(
        self, claim: Claim, member: MemberFacts | None, agreement: Agreement | None
    ) -> list[Reason]:
        ctx = self.ctx
        reasons: list[Reason] = []
        end = claim.end or claim.start
        if (
            not claim.id
            or not claim.lines
            or not isinstance(claim.start, date)
            or (claim.end is not None and claim.end < claim.start)
            or not isinstance(claim.care_type, CareType)
            or claim.care_type is CareType.BOTH
        ):
            reasons.append(Reason(ReasonCode.INVALID_CLAIM, {"field": "claim"}))
        if member is None:
            reasons.append(Reason(ReasonCode.NOT_A_MEMBER, {"membership": "unknown"}))
        else:
            reasons += member_reasons(member, claim.start)
            if member.beneficiary.born_after(claim.start):
                reasons.append(Reason(ReasonCode.INVALID_DATE, {"reason": "before_birth"}))
        if end > ctx.today:
            reasons.append(Reason(ReasonCode.INVALID_DATE, {"reason": "future"}))
        deadline = self.deadline
        if agreement is not None and agreement.submission_deadline_days is not None:
            deadline = timedelta(days=agreement.submission_deadline_days)
        if deadline is not None and claim.submitted > end + deadline:
            reasons.append(
                Reason(ReasonCode.INVALID_DATE, {"reason": "late", "deadline": end + deadline})
            )
        if not claim.diagnoses:
            reasons.append(Reason(ReasonCode.INVALID_CLAIM, {"field": "diagnoses"}))
        for code in claim.diagnoses:
            if _icd(code) not in ctx._icd:
                reasons.append(Reason(ReasonCode.INVALID_DIAGNOSIS, {"code": code}))
        if agreement is None or not agreement.valid_on(claim.start):
            reasons.append(
                Reason(
                    ReasonCode.AGREEMENT_INVALID, {"provider": claim.provider_id, "on": claim.start}
                )
            )
        return reasons

    def _plan(self, covers: list[Cover], versions: tuple, item: CatalogueItem) -> _Plan | None:
        """Which cover and rule price ``item``, with the rule's lookups done once."""
        key = (versions, item.code)
        try:
            return self.plans[key]
        except KeyError:
            pass
        chosen = choose_rule(covers, item)
        plan = None
        if chosen is not None:
            cover, rule = chosen
            plan = _Plan(covers.index(cover), rule, cover.version)
        self.plans[key] = plan
        return plan

    def decide(self, claim: Claim, member: MemberFacts | None | object = _CONTEXT) -> ClaimDecision:
        ctx, index, zero, step = self.ctx, self.index, self.zero, self.step
        catalogue = ctx.catalogue
        if member is _CONTEXT:
            member = ctx.members.get(claim.beneficiary_id)
        agreement = ctx.agreement_for(claim.provider_id, claim.start)
        claim_reasons = self._claim_reasons(claim, member, agreement)
        payee = (
            Payee.PROVIDER
            if agreement is not None and agreement.third_party_payment
            else Payee.MEMBER
        )
        agreement_ok = agreement is not None and agreement.valid_on(claim.start)
        covers: list[Cover] = (
            covers_at(member, ctx._book, claim.start) if member is not None else []
        )
        versions = tuple(c.version.id for c in covers)
        ben = member.beneficiary if member is not None else None
        end = claim.end or claim.start
        episode = claim.episode or claim.id
        care = claim.care_type
        referral, authorisation = bool(claim.referral), bool(claim.authorisation)
        seen_key = (claim.beneficiary_id, claim.provider_id, claim.start)
        not_duplicate = {claim.id, claim.corrects}
        copay_charged: dict[str, Decimal] = {}
        flat_used: dict[str, Decimal] = {}
        lines: list[LineDecision] = []
        records: list[Consumption] = []
        for i, line in enumerate(claim.lines):
            reasons = list(claim_reasons)
            qty, price = line.quantity, line.unit_price
            qty_ok = type(qty) is int and qty > 0
            if not qty_ok:
                reasons.append(Reason(ReasonCode.INVALID_CLAIM, {"field": "quantity"}))
            if not (type(price) is Decimal and price.is_finite() and price >= 0):
                reasons.append(Reason(ReasonCode.INVALID_CLAIM, {"field": "unit_price"}))
            on = line.on or claim.start
            if line.on is not None and not (claim.start <= line.on <= end):
                reasons.append(Reason(ReasonCode.INVALID_DATE, {"reason": "outside_stay"}))
            item = catalogue.get(line.item)
            plan = None
            if item is None:
                reasons.append(Reason(ReasonCode.UNKNOWN_ITEM, {"item": line.item}))
            else:
                if item.care_type is not CareType.BOTH and item.care_type is not care:
                    reasons.append(care_type_reason(item, care))
                if agreement_ok and not in_price_list(agreement, item):
                    reasons.append(
                        Reason(
                            ReasonCode.NOT_IN_PRICE_LIST,
                            {"item": item.code, "provider": claim.provider_id},
                        )
                    )
                dups = self.seen.get((*seen_key, line.item))
                if dups:
                    others = dups - not_duplicate
                    if others:
                        reasons.append(
                            Reason(ReasonCode.DUPLICATE, {"claims": tuple(sorted(others))})
                        )
                if covers:
                    plan = self._plan(covers, versions, item)
                    if plan is None:
                        reasons.append(not_in_package(item, covers))
                    elif plan.checks:
                        reasons += rule_reasons(
                            rule=plan.rule,
                            cover=covers[plan.cover],
                            beneficiary=ben,
                            on=claim.start,
                            care_type=care,
                            referral=referral,
                            authorisation=authorisation,
                        )
            rejected = bool(reasons)
            allowed = qty if qty_ok else 0
            pos = None
            if plan is not None and qty_ok:
                cover = covers[plan.cover]
                pos = Position(
                    ben.id,
                    ben.household_id,
                    plan.package_id,
                    item.category,
                    item.code,
                    on,
                    care,
                    episode,
                    claim.id,
                    (cover.period.start, cover.period.expiry),
                    claim.corrects,
                )
                if plan.counts:
                    allowed, why = count_reasons(index, pos, plan.rule, qty)
                    reasons += why
            if rejected or allowed == 0 or pos is None:
                lines.append(
                    LineDecision(
                        i,
                        line.item,
                        LineStatus.REJECTED,
                        tuple(reasons),
                        (),
                        qty,
                        0,
                        _claimed(line, step, zero),
                        zero,
                        zero,
                        zero,
                        payee,
                        plan.package_id if plan is not None else None,
                    )
                )
                continue
            rule, version, pkg = plan.rule, plan.version, plan.package_id
            notes: list[Note] = []
            # 1. Cap the price at the flat rate or the tariff (else the reference price).
            flat = agreement.flat_rates.get(item.code) if agreement.flat_rates else None
            if flat is not None:
                gross = price * allowed
                if flat.per is FlatBasis.VISIT:
                    left = flat.amount - flat_used.get(item.code, zero)
                else:
                    left = flat.amount - sum((r.accepted for r in index.episode_item(pos)), zero)
                left = max(zero, left)
                accepted = min(gross, left)
                flat_used[item.code] = flat_used.get(item.code, zero) + accepted
                if gross > left:
                    notes.append(
                        Note(NoteCode.FLAT_RATE, {"amount": flat.amount, "per": flat.per.value})
                    )
            else:
                tariff = agreement.tariffs.get(item.code)
                if tariff is None:
                    tariff = item.reference_price
                if price > tariff:
                    notes.append(Note(NoteCode.TARIFF, {"tariff": tariff}))
                    accepted = tariff * allowed
                else:
                    accepted = price * allowed
            accepted = accepted.quantize(step, ROUND_HALF_UP)
            # 2. Deductible.
            ded = zero
            if version.deductible is not None:
                ded = min(accepted, deductible_left(index, version.deductible, pos))
                if ded:
                    # Amounts loaded from storage carry its scale (1600.00): one form
                    # whatever the consumption came from, in-run or stored.
                    ded = ded.quantize(step, ROUND_HALF_UP)
                    notes.append(Note(NoteCode.DEDUCTIBLE, {"amount": ded}))
            base = accepted - ded
            # 3. Coverage rate, or the fixed co-payment once per visit.
            coverage = rule.coverage_for(ben.category) if plan.by_category else rule.coverage
            if coverage.rate is not None:
                mutual = base * coverage.rate
            else:
                charged = copay_charged.get(pkg, zero)
                copay = min(base, max(zero, coverage.fixed_copay - charged))
                copay_charged[pkg] = charged + copay
                mutual = base - copay
                if copay:
                    notes.append(Note(NoteCode.FIXED_COPAY, {"amount": copay}))
            # 4. Cap at every remaining ceiling.
            for ceiling, owner in plan.ceilings(care):
                _, left = ceiling_left(index, ceiling, owner, pos, allowed)
                if mutual > left:
                    mutual = left = left.quantize(step, ROUND_HALF_UP)
                    notes.append(
                        Note(
                            NoteCode.CEILING,
                            {
                                "level": "package" if owner is None else "rule",
                                "scope": ceiling.scope.value,
                                "amount": ceiling.amount,
                                "remaining": left,
                            },
                        )
                    )
            # 5. Round to the currency's minor unit.
            mutual = mutual.quantize(step, ROUND_HALF_UP)
            record = Consumption(
                claim.id,
                ben.id,
                ben.household_id,
                pkg,
                item.category,
                item.code,
                on,
                allowed,
                care,
                episode,
                accepted,
                mutual,
                ded,
                plan.item_rule,
            )
            index.add(record)
            records.append(record)
            lines.append(
                LineDecision(
                    i,
                    line.item,
                    LineStatus.ACCEPTED if allowed == qty else LineStatus.PARTIALLY_ACCEPTED,
                    tuple(reasons),
                    tuple(notes),
                    qty,
                    allowed,
                    _claimed(line, step, zero),
                    accepted,
                    mutual,
                    accepted - mutual,
                    payee,
                    pkg,
                )
            )
        self._remember(claim, (claim.lines[ln.index] for ln in lines if ln.accepted_quantity))
        return _claim_decision(claim, lines, records, payee, zero)


class _Plan:
    """A rule and its lookups, prepared once per (packages, item)."""

    __slots__ = (
        "_ceilings",
        "by_category",
        "checks",
        "counts",
        "cover",
        "item_rule",
        "package_id",
        "rule",
        "version",
    )

    def __init__(self, cover: int, rule: BenefitRule, version: PackageVersion) -> None:
        self.cover = cover
        self.rule = rule
        self.version = version
        self.package_id = version.package_id
        self.checks = bool(
            rule.applicability is not None
            or rule.care_type is not CareType.BOTH
            or rule.waiting_days
            or rule.referral_required
            or rule.authorisation_required
        )
        self.counts = bool(rule.frequency is not None or rule.count_limits)
        self.by_category = bool(rule.by_member_category)
        self.item_rule = rule.item is not None
        self._ceilings = {
            care: applicable_ceilings(version, rule, care)
            for care in (CareType.IN_PATIENT, CareType.OUT_PATIENT, CareType.BOTH)
        }

    def ceilings(self, care: CareType) -> list[tuple[Ceiling, BenefitRule | None]]:
        return self._ceilings[care]


def _claimed(line: ClaimLine, step: Decimal, zero: Decimal) -> Decimal:
    try:
        return (line.unit_price * line.quantity).quantize(step, ROUND_HALF_UP)
    except (TypeError, ValueError, ArithmeticError):
        return zero


def _claim_decision(
    claim: Claim,
    lines: list[LineDecision],
    records: list[Consumption],
    payee: Payee,
    zero: Decimal,
) -> ClaimDecision:
    claimed = accepted = mutual = zero
    statuses = set()
    for ln in lines:
        claimed += ln.claimed
        accepted += ln.accepted
        mutual += ln.mutual_share
        statuses.add(ln.status)
    if statuses == {LineStatus.ACCEPTED}:
        status = LineStatus.ACCEPTED
    elif statuses <= {LineStatus.REJECTED}:
        status = LineStatus.REJECTED
    else:
        status = LineStatus.PARTIALLY_ACCEPTED
    return ClaimDecision(
        claim.id,
        status,
        tuple(lines),
        claimed,
        accepted,
        mutual,
        accepted - mutual,
        payee,
        tuple(records),
    )

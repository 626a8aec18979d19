"""Medical review of claims: sampling, the adviser's per-line decisions, four-eyes,
appeals, and the members' feedback sample (DOMAIN §7).

- `sample_for_review(mutual=, claim_ids=)` is set-based: a few grouped queries
  over the ids whatever their number, then one UPDATE and bulk inserts. It
  marks the sampled decided claims *under review* with the reasons they were
  drawn (random share, amount, rare or flagged act, outlier provider), and
  draws the feedback sample. The single-claim path calls it right after the
  decision; the batch adjudication calls it after each chunk.
- `review_decide` records the adviser's decision per line (keep, accept,
  reduce, reject, with a reason code and a note). The shares are re-priced
  with the line's own rule (`engine.review.reprice_line`). Above the mutual's
  threshold the decision waits for a second adviser (`review_approve`), who
  cannot be the one who entered the claim or reviewed it.
- An open appeal is decided with its line: a higher payment upholds it,
  otherwise it is dismissed with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, Forbidden, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.rows import get as rows_get
from mutualis.core.rows import insert as rows_insert
from mutualis.core.rows import new as rows_new
from mutualis.core.scope import require
from mutualis.core.services import audit_record
from mutualis.engine import benefits as eb
from mutualis.engine.eligibility import choose_rule, covers_at
from mutualis.engine.money import currency
from mutualis.engine.review import drawn, reprice_line

from . import facts
from .models import (
    AppealStatus,
    Claim,
    ClaimEvent,
    ClaimLine,
    ClaimStatus,
    ConsumptionCounter,
    EventKind,
    FeedbackQuestion,
    LineAppeal,
    LineReview,
    LineStatus,
    ReviewAction,
    ReviewCase,
    ReviewOrigin,
    ReviewSettings,
    ReviewState,
)

DECIDED = (ClaimStatus.ACCEPTED, ClaimStatus.PARTIALLY_ACCEPTED)
RARE_WINDOW = timedelta(days=365)
OUTLIER_WINDOW = timedelta(days=90)
REVIEW_REASONS = ("not_justified", "excessive_quantity", "not_performed", "price", "other")


class ReviewPending(Conflict):
    code = "review_pending"
    message = _("This review already awaits a second approval.")


class NothingToApprove(Conflict):
    code = "nothing_to_approve"
    message = _("This review does not await a second approval.")


class SameReviewer(Forbidden):
    code = "four_eyes"
    message = _("A second adviser must approve: whoever entered the claim or reviewed it cannot.")


class NotPayable(ValidationFailed):
    code = "not_payable"
    message = _("No package of the member covers this item on that date; it cannot be paid.")


def settings_for(mutual) -> ReviewSettings:
    """The mutual's settings, or the defaults (nothing sampled) if never saved."""
    return ReviewSettings.objects.filter(mutual=mutual).first() or ReviewSettings(mutual=mutual)


# --- Sampling ------------------------------------------------------------------------


def sample_for_review(*, mutual, claim_ids, rows=None) -> int:
    """Mark the sampled decided claims among `claim_ids` *under review*; returns how many.

    Also draws the feedback sample. Set-based: the same number of queries for
    one claim or a chunk of thousands. The single-claim path passes the row of the
    decided claim it has just written — (id, claimed, provider id, provider kind,
    date of care, household id, section id) — instead of reading it back; `rows`
    hold decided claims only (accepted or partially), as the query reads, written in
    the caller's transaction, so a drawn one is opened without further checks.
    """
    ids = list(claim_ids)
    conf = rows_get(ReviewSettings, "mutual_id", mutual.pk) if ids else None
    if conf is None:
        return 0
    just_written = rows is not None
    if rows is None:
        rows = list(
            Claim.objects.filter(pk__in=ids, mutual=mutual, status__in=DECIDED).values_list(
                "pk", "claimed", "provider_id", "provider__kind", "start_on", "household_id",
                "section_id",
            )
        )  # fmt: skip
    else:
        wanted = set(ids)
        rows = [r for r in rows if r[0] in wanted]
    if not rows:
        return 0
    reasons: dict[int, list[dict]] = {}

    def add(pk, code, **params):
        reasons.setdefault(pk, []).append({"code": code, "params": params})

    for pk, claimed, *_rest in rows:
        if drawn(conf.seed, pk, conf.random_share):
            add(pk, "random", share=_plain(conf.random_share))
        if conf.amount_above is not None and claimed > conf.amount_above:
            add(pk, "amount", above=str(conf.amount_above))
    latest = max(r[4] for r in rows)
    if conf.rare_below or conf.flagged_items:
        _rare_acts(conf, mutual, [r[0] for r in rows], latest, add)
    if conf.outlier_factor:
        _outlier_providers(conf, mutual, rows, latest, add)
    if reasons and just_written:
        sampled = sorted(reasons)
        _open_sampled(sampled, reasons)
    elif reasons:
        with transaction.atomic():
            sampled = list(
                Claim.objects.filter(pk__in=list(reasons), status__in=DECIDED)
                .exclude(reviews__state__in=[ReviewState.OPEN, ReviewState.PENDING])
                .values_list("pk", flat=True)
            )
            Claim.objects.filter(pk__in=sampled).update(status=ClaimStatus.UNDER_REVIEW)
            cases, events = _review_rows(sampled, reasons)
            ReviewCase.objects.bulk_create(cases)  # batched: a chunk may sample thousands
            ClaimEvent.objects.bulk_create(events)
    else:
        sampled = []
    _feedback_sample(conf, rows)
    return len(sampled)


def _open_sampled(ids: list[int], reasons: dict[int, list[dict]]) -> None:
    """Claims written in this very transaction (the single-claim path): none has a
    review yet, so each gets its case, its event and its status without the checks
    and the savepoint of the set-based path, in plain statements (`core.rows`)."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Claim._meta.db_table} SET status = %s WHERE id IN ({marks})",  # noqa: S608
            [ClaimStatus.UNDER_REVIEW, *ids],
        )
    cases, events = _review_rows(ids, reasons)
    rows_insert(cases)
    rows_insert(events)


def _review_rows(ids, reasons: dict[int, list[dict]]) -> tuple[list, list]:
    """The unsaved review case and *sampled* event of each claim drawn."""
    cases = [
        rows_new(ReviewCase, claim_id=pk, origin=ReviewOrigin.SAMPLED, reasons=reasons[pk])
        for pk in ids
    ]
    events = [
        rows_new(
            ClaimEvent,
            claim_id=pk,
            kind=EventKind.SAMPLED,
            status=ClaimStatus.UNDER_REVIEW,
            data={"reasons": [r["code"] for r in reasons[pk]]},
        )
        for pk in ids
    ]
    return cases, events


def _plain(value: Decimal) -> str:
    """5.50 → "5.5", 100.00 → "100" (a share as people write it)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rare_acts(conf, mutual, ids, latest, add) -> None:
    lines = list(
        ClaimLine.objects.filter(claim_id__in=ids).values_list("claim_id", "item_code").distinct()
    )
    flagged = {c.strip().upper() for c in conf.flagged_items or []}
    counts = {}
    if conf.rare_below:
        counts = dict(
            ClaimLine.objects.filter(
                claim__mutual=mutual,
                item_code__in={code for _, code in lines},
                on__gt=latest - RARE_WINDOW,
                on__lte=latest,
            )
            .exclude(claim__status=ClaimStatus.REPLACED)
            .values("item_code")
            .annotate(n=Count("id"))
            .values_list("item_code", "n")
        )
    rare: dict[int, list[str]] = {}
    marked: dict[int, list[str]] = {}
    for pk, code in lines:
        if code.upper() in flagged:
            marked.setdefault(pk, []).append(code)
        elif conf.rare_below and counts.get(code, 0) < conf.rare_below:
            rare.setdefault(pk, []).append(code)
    for pk, codes in sorted(marked.items()):
        add(pk, "flagged_item", items=sorted(codes))
    for pk, codes in sorted(rare.items()):
        add(pk, "rare_act", items=sorted(codes), below=conf.rare_below)


def _outlier_providers(conf, mutual, rows, latest, add) -> None:
    window = Claim.objects.filter(
        mutual=mutual, start_on__gt=latest - OUTLIER_WINDOW, start_on__lte=latest
    ).exclude(status=ClaimStatus.REPLACED)
    cur = currency(mutual.currency)
    by_provider = _totals(window, "provider_id", {r[2] for r in rows})
    by_kind = _totals(window, "provider__kind", {r[3] for r in rows})
    for pk, _claimed, provider_id, kind, *_rest in rows:
        own, ref = by_provider.get(provider_id), by_kind.get(kind)
        if not own or not ref or not own[1] or not ref[1]:
            continue
        average = Decimal(own[0]) / own[1]
        kind_average = Decimal(ref[0]) / ref[1]
        if average > conf.outlier_factor * kind_average:
            add(
                pk,
                "outlier_provider",
                average=str(cur.quantize(average)),
                kind_average=str(cur.quantize(kind_average)),
                factor=_plain(conf.outlier_factor),
            )


def _totals(claims, key: str, values) -> dict:
    """{key value: (sum claimed, number of claims)} in one grouped query."""
    rows = claims.filter(**{f"{key}__in": values}).values(key)
    return {k: (t, n) for k, t, n in rows.annotate(t=Sum("claimed"), n=Count("id")).values_list(
        key, "t", "n")}  # fmt: skip


def _feedback_sample(conf, rows) -> None:
    if not conf.feedback_share:
        return
    seed = f"{conf.seed}:feedback"
    rows_insert(
        [
            FeedbackQuestion(claim_id=pk, provider_id=prov, household_id=hh, section_id=sec)
            for pk, _c, prov, _k, _s, hh, sec in rows
            if drawn(seed, pk, conf.feedback_share)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def review_settings_update(*, actor, mutual, **values) -> ReviewSettings:
    """Save a mutual's review settings (medical adviser or manager of the mutual)."""
    try:
        require(actor, Perm.CLAIM_REVIEW, on=mutual)
    except Forbidden:
        require(actor, Perm.ORG_MANAGE, on=mutual)
    errors = {}
    for name in ("random_share", "feedback_share"):
        if name in values and not (0 <= values[name] <= 100):
            errors[name] = _("A share is between 0 and 100 %.")
    for name in ("amount_above", "four_eyes_above", "outlier_factor"):
        if values.get(name) is not None and values[name] < 0:
            errors[name] = _("The value cannot be negative.")
    if errors:
        raise ValidationFailed(fields=errors)
    if isinstance(values.get("flagged_items"), str):
        values["flagged_items"] = sorted({c.upper() for c in values["flagged_items"].split()})
    for name in ("amount_above", "four_eyes_above"):
        if values.get(name) is not None:
            values[name] = mutual.money.quantize(values[name])
    conf = settings_for(mutual)
    with acting_as(actor):
        for key, value in values.items():
            setattr(conf, key, value)
        conf.save()
    audit_record(
        actor=actor,
        action="claim.review_settings",
        target=conf,
        organisation=mutual,
        data={"fields": sorted(values)},
    )
    return conf


# --- Decisions -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineChoice:
    """The adviser's decision on one line (position from 0)."""

    position: int
    action: str = ReviewAction.KEEP
    quantity: int | None = None
    amount: Decimal | None = None
    reason: str = ""
    note: str = ""


def _open_case(claim: Claim) -> ReviewCase:
    case = claim.reviews.exclude(state=ReviewState.CLOSED).first()
    if case is None:
        case = ReviewCase.objects.create(claim=claim, origin=ReviewOrigin.APPEAL)
    return case


def _agreed_unit(line: ClaimLine) -> Decimal:
    unit = line.unit_price
    for note in line.notes:
        if note.get("code") == "tariff":
            unit = min(unit, Decimal(str(note["params"]["tariff"])))
    return unit


def _coverage(claim: Claim, line: ClaimLine) -> eb.Coverage | None:
    """The coverage of the rule that prices this line (same choice as the engine)."""
    member = facts.member_facts(claim.membership, line.on)
    versions = facts.package_versions({p.package_id for p in member.coverage})
    item = facts.catalogue(claim.mutual_id, {line.item_code}).get(line.item_code)
    if item is None:
        return None
    chosen = choose_rule(covers_at(member, eb.PackageBook(versions), line.on), item)
    if chosen is None:
        return None
    _cover, rule = chosen
    if rule.by_member_category:
        return rule.coverage_for(member.beneficiary.category)
    return rule.coverage


def _copay_charged(line: ClaimLine) -> Decimal:
    return sum(
        (Decimal(str(n["params"]["amount"])) for n in line.notes if n.get("code") == "fixed_copay"),
        Decimal(0),
    )


def _new_figures(claim, line, choice: LineChoice, lines) -> dict | None:
    """The line's figures after the choice (None: unchanged)."""
    cur = currency(claim.currency)
    if choice.action == ReviewAction.KEEP:
        return None
    if choice.action == ReviewAction.REJECT:
        zero = cur.zero()
        return {"accepted_quantity": 0, "accepted": zero, "mutual_share": zero,
                "member_share": zero, "status": LineStatus.REJECTED}  # fmt: skip
    unit = line.accepted / line.accepted_quantity if line.accepted_quantity else _agreed_unit(line)
    if choice.action == ReviewAction.ACCEPT:
        qty, amount = line.quantity, _agreed_unit(line) * line.quantity
    else:
        qty = choice.quantity if choice.quantity is not None else line.accepted_quantity
        qty = qty or line.quantity
        amount = choice.amount if choice.amount is not None else unit * qty
    coverage = _coverage(claim, line)
    if coverage is None:
        raise NotPayable(fields={f"lines.{line.position}.action": NotPayable.message})
    copay = Decimal(0)
    if coverage.fixed_copay is not None:
        copay = _copay_charged(line)
        if not copay:
            others = sum((_copay_charged(o) for o in lines if o.pk != line.pk), Decimal(0))
            copay = max(Decimal(0), coverage.fixed_copay - others)
    capped = any(n.get("code") == "ceiling" for n in line.notes)
    priced = reprice_line(
        accepted=amount,
        claimed=line.claimed,
        rate=coverage.rate,
        fixed_copay=copay,
        deductible=line.deductible,
        cap=line.mutual_share if capped else None,
        cur=cur,
    )
    full = priced.accepted >= cur.quantize(_agreed_unit(line) * line.quantity)
    status = LineStatus.ACCEPTED if qty == line.quantity and full else LineStatus.PARTIALLY_ACCEPTED
    if not priced.accepted:
        status, qty = LineStatus.REJECTED, 0
    return {
        "accepted_quantity": qty,
        "accepted": priced.accepted,
        "mutual_share": priced.mutual_share,
        "member_share": priced.member_share,
        "status": status,
    }


def _check_choices(claim, lines, choices, open_appeals) -> None:
    errors = {}
    by_pos = {ln.position: ln for ln in lines}
    for c in choices:
        line = by_pos.get(c.position)
        key = f"lines.{c.position}"
        if line is None:
            errors[key] = _("There is no such line.")
            continue
        if c.action not in ReviewAction.values:
            errors[f"{key}.action"] = _("Choose a decision.")
        needs_reason = c.action in (ReviewAction.REDUCE, ReviewAction.REJECT) or (
            c.action == ReviewAction.KEEP and line.pk in open_appeals
        )
        if needs_reason and c.reason not in REVIEW_REASONS:
            errors[f"{key}.reason"] = _("Give the reason.")
        if c.action == ReviewAction.REDUCE:
            if c.quantity is None and c.amount is None:
                errors[f"{key}.quantity"] = _("Give the accepted quantity or amount.")
            if c.quantity is not None and not (0 <= c.quantity <= line.quantity):
                errors[f"{key}.quantity"] = _("The quantity must be between 0 and the claimed.")
            if c.amount is not None and not (0 <= c.amount <= line.claimed):
                errors[f"{key}.amount"] = _("The amount must be between 0 and the claimed.")
    if errors:
        raise ValidationFailed(fields=errors)


def _needs_second(conf, claim, lines, changes) -> bool:
    limit = conf.four_eyes_above
    if limit is None:
        return False
    total = sum(
        (changes[ln.pk]["mutual_share"] if ln.pk in changes else ln.mutual_share for ln in lines),
        Decimal(0),
    )
    if changes and total > limit:
        return True
    by_pk = {ln.pk: ln for ln in lines}
    return any(
        abs(by_pk[pk].accepted - new["accepted"]) > limit
        or abs(by_pk[pk].mutual_share - new["mutual_share"]) > limit
        for pk, new in changes.items()
    )


@transaction.atomic
def review_decide(*, actor, claim: Claim, choices: list[LineChoice]) -> ReviewCase:
    """The adviser decides the claim's lines; applied now, or after a second approval."""
    require(actor, Perm.CLAIM_REVIEW, on=claim.section)
    claim = Claim.objects.select_for_update().select_related("membership__person").get(pk=claim.pk)
    if claim.status != ClaimStatus.UNDER_REVIEW:
        raise Conflict(_("This claim is not under review."))
    case = _open_case(claim)
    if case.state == ReviewState.PENDING:
        raise ReviewPending()
    lines = list(claim.lines.all())
    open_appeals = {
        a.line_id: a for a in LineAppeal.objects.filter(line__claim=claim, status=AppealStatus.OPEN)
    }
    _check_choices(claim, lines, choices, open_appeals)
    by_pos = {ln.position: ln for ln in lines}
    changes, reviews = {}, []
    for c in choices:
        line = by_pos[c.position]
        new = _new_figures(claim, line, c, lines)
        if new is None and line.pk not in open_appeals and not c.note.strip():
            continue
        if new is not None:
            changes[line.pk] = new
        figures = new or {
            "accepted_quantity": line.accepted_quantity, "accepted": line.accepted,
            "mutual_share": line.mutual_share, "member_share": line.member_share,
            "status": line.status,
        }  # fmt: skip
        reviews.append(
            LineReview(
                case=case,
                line=line,
                appeal=open_appeals.get(line.pk),
                action=c.action,
                reason=c.reason if c.reason in REVIEW_REASONS else "",
                note=c.note.strip(),
                status=figures["status"],
                accepted_quantity=figures["accepted_quantity"],
                accepted=figures["accepted"],
                mutual_share=figures["mutual_share"],
                member_share=figures["member_share"],
                before=_snapshot(line),
            )
        )
    missing = set(open_appeals) - {r.line_id for r in reviews}
    if missing:
        pos = min(ln.position for ln in lines if ln.pk in missing)
        raise ValidationFailed(fields={f"lines.{pos}.reason": _("Decide the appealed line.")})
    conf = settings_for(claim.mutual)
    second = _needs_second(conf, claim, lines, changes)
    LineReview.objects.filter(case=case, applied=False).delete()
    with acting_as(actor):
        reviews = LineReview.objects.bulk_create(reviews)
        case.reviewed_by, case.reviewed_at = actor, timezone.now()
        case.state = ReviewState.PENDING if second else case.state
        case.save()
    summary = _summary(reviews)
    if second:
        ClaimEvent.objects.create(
            claim=claim,
            actor=actor,
            kind=EventKind.REVIEW_PENDING,
            status=claim.status,
            data={**summary, "reasons": [str(_("awaiting a second approval"))]},
        )
        audit_record(
            actor=actor,
            action="claim.review_pending",
            target=claim,
            organisation=claim.section,
            data=summary,
        )
        return case
    _apply(actor=actor, claim=claim, case=case, kind=EventKind.REVIEWED, summary=summary)
    return case


def _summary(reviews) -> dict:
    """What the audit and the story keep of a review: figures and codes, never the note."""
    return {
        "lines": [
            {"line": r.line.position + 1, "action": r.action, "reason": r.reason,
             "mutual_share": str(r.mutual_share)}
            for r in reviews
        ],
    }  # fmt: skip


def _snapshot(line: ClaimLine) -> dict:
    return {
        "status": line.status,
        "accepted_quantity": line.accepted_quantity,
        "accepted": str(line.accepted),
        "mutual_share": str(line.mutual_share),
        "member_share": str(line.member_share),
        "reasons": line.reasons,
    }


def _apply(*, actor, claim: Claim, case: ReviewCase, kind: str, summary: dict) -> None:
    """Write the case's pending line decisions, the claim's totals and status, the appeals."""
    # Lock the household's counter row first, as claim_submit does, so a claim of the
    # household decided meanwhile waits and then sees the new figures of these lines.
    ConsumptionCounter.objects.filter(pk=claim.household_id).update(claims=F("claims"))
    reviews = list(case.lines.filter(applied=False).select_related("line", "appeal"))
    changed = []
    for r in reviews:
        line = r.line
        if r.action == ReviewAction.KEEP:
            continue
        line.accepted_quantity = r.accepted_quantity
        line.accepted = r.accepted
        line.mutual_share = r.mutual_share
        line.member_share = r.member_share
        line.status = r.status
        lowered = r.accepted < Decimal(r.before["accepted"]) or not r.accepted
        line.reasons = (
            [*([] if r.accepted else line.reasons), _review_reason(r)]
            if r.action == ReviewAction.REJECT or (r.action == ReviewAction.REDUCE and lowered)
            else []
        )
        changed.append(line)
    if changed:
        from .batch import line_decisions_write  # batch imports services, which import us

        line_decisions_write(
            [
                (ln.pk, ln.status, json.dumps(ln.reasons), json.dumps(ln.notes),
                 ln.accepted_quantity, ln.claimed, ln.accepted, ln.mutual_share,
                 ln.member_share, ln.deductible, ln.payee, ln.package_id, ln.item_rule)
                for ln in changed
            ]
        )  # fmt: skip
    LineReview.objects.filter(pk__in=[r.pk for r in reviews]).update(applied=True)
    for r in reviews:
        if r.appeal is not None and r.appeal.status == AppealStatus.OPEN:
            upheld = r.accepted > Decimal(r.before["accepted"]) or (
                r.mutual_share > Decimal(r.before["mutual_share"])
            )
            r.appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
            with acting_as(actor):
                r.appeal.save(update_fields=["status"])
            ClaimEvent.objects.create(
                claim=claim,
                actor=actor,
                kind=EventKind.APPEAL_DECIDED,
                status=claim.status,
                data={
                    "line": r.line.position + 1,
                    "outcome": r.appeal.status,
                    "reason": r.reason,
                    "reasons": [str(AppealStatus(r.appeal.status).label)],
                },
            )
    lines = list(claim.lines.all())
    cur = currency(claim.currency)
    accepted = cur.quantize(sum((ln.accepted for ln in lines), Decimal(0)))
    mutual = cur.quantize(sum((ln.mutual_share for ln in lines), Decimal(0)))
    statuses = {ln.status for ln in lines}
    if statuses == {LineStatus.ACCEPTED}:
        status = ClaimStatus.ACCEPTED
    elif statuses <= {LineStatus.REJECTED}:
        status = ClaimStatus.REJECTED
    else:
        status = ClaimStatus.PARTIALLY_ACCEPTED
    delta_accepted, delta_mutual = accepted - claim.accepted, mutual - claim.mutual_share
    claim.status, claim.accepted, claim.mutual_share = status, accepted, mutual
    claim.member_share = accepted - mutual
    with acting_as(actor):
        claim.save(update_fields=["status", "accepted", "mutual_share", "member_share"])
        case.state = ReviewState.CLOSED
        if kind == EventKind.REVIEW_APPROVED:
            case.approved_by, case.approved_at = actor, timezone.now()
        case.save()
    ConsumptionCounter.objects.filter(pk=claim.household_id).update(
        accepted=F("accepted") + delta_accepted, mutual_share=F("mutual_share") + delta_mutual
    )
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        kind=kind,
        status=status,
        data={**summary, "mutual_share": str(mutual)},
    )
    audit_record(
        actor=actor,
        action="claim.review_approve" if kind == EventKind.REVIEW_APPROVED else "claim.review",
        target=claim,
        organisation=claim.section,
        data={**summary, "mutual_share": str(mutual), "status": status},
    )


def _review_reason(r: LineReview) -> dict:
    return {"code": "medical_review", "params": {"why": r.reason or "other"}}


@transaction.atomic
def review_approve(*, actor, case: ReviewCase) -> ReviewCase:
    """A second adviser approves a decision above the threshold; it then takes effect."""
    claim = case.claim
    require(actor, Perm.CLAIM_REVIEW, on=claim.section)
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if case.state != ReviewState.PENDING:
        raise NothingToApprove()
    if actor.pk in (case.reviewed_by_id, claim.entered_by_id):
        raise SameReviewer()
    reviews = case.lines.filter(applied=False).select_related("line")
    summary = {**_summary(reviews), "reviewed_by": case.reviewed_by_id}
    _apply(actor=actor, claim=claim, case=case, kind=EventKind.REVIEW_APPROVED, summary=summary)
    return case


@transaction.atomic
def review_return(*, actor, case: ReviewCase) -> ReviewCase:
    """The second adviser does not approve: the decision is dropped, the review reopens."""
    claim = case.claim
    require(actor, Perm.CLAIM_REVIEW, on=claim.section)
    if case.state != ReviewState.PENDING:
        raise NothingToApprove()
    if actor.pk in (case.reviewed_by_id, claim.entered_by_id):
        raise SameReviewer()
    case.lines.filter(applied=False).delete()
    with acting_as(actor):
        case.state = ReviewState.OPEN
        case.save(update_fields=["state"])
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        kind=EventKind.REVIEWED,
        status=claim.status,
        data={"reasons": [str(_("returned without approval"))]},
    )
    audit_record(
        actor=actor,
        action="claim.review_return",
        target=claim,
        organisation=claim.section,
    )
    return case


# --- Reads ---------------------------------------------------------------------------


def review_queue(*, user, origin: str = "", state: str = "", provider_id=None):
    """Claims awaiting the medical adviser (sampled or appealed), oldest first."""
    from django.db.models import Exists, Min, OuterRef
    from django.db.models.functions import Coalesce

    from .selectors import claim_list

    open_case = ReviewCase.objects.filter(claim=OuterRef("pk")).exclude(state=ReviewState.CLOSED)
    open_appeal = LineAppeal.objects.filter(line__claim=OuterRef("pk"), status=AppealStatus.OPEN)
    qs = (
        claim_list(user=user)
        .filter(status=ClaimStatus.UNDER_REVIEW)
        .annotate(
            has_appeal=Exists(open_appeal),
            pending=Exists(open_case.filter(state=ReviewState.PENDING)),
            waiting_since=Coalesce(
                Min("reviews__opened_at", filter=~Q(reviews__state=ReviewState.CLOSED)),
                Min("lines__appeals__filed_at", filter=Q(lines__appeals__status="open")),
                "decided_at",
            ),
        )
    )
    if origin == ReviewOrigin.APPEAL:
        qs = qs.filter(has_appeal=True)
    elif origin == ReviewOrigin.SAMPLED:
        qs = qs.filter(Exists(open_case.filter(origin=ReviewOrigin.SAMPLED)))
    if state == ReviewState.PENDING:
        qs = qs.filter(pending=True)
    elif state == ReviewState.OPEN:
        qs = qs.filter(pending=False)
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    return qs.order_by("waiting_since", "pk")


def open_case_of(claim: Claim) -> ReviewCase | None:
    return claim.reviews.exclude(state=ReviewState.CLOSED).select_related("reviewed_by").first()

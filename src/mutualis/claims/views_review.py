"""Medical review pages: the queue, one claim's review (per-line decisions, second
approval), the mutual's review settings, prior authorisations and member feedback.

Views parse input, fetch through scoped selectors, call one service, render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualis.core.errors import DomainError, Forbidden, NotFound
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, provider_ids, require
from mutualis.core.selectors import organisation_list
from mutualis.providers.models import Provider
from mutualis.providers.selectors import provider_get
from mutualis.web.util import flash_error, form_errors_from, paginate

from . import authorisations, feedback, review, selectors
from .facts import icd10_title
from .forms_review import (
    AuthorisationDecisionForm,
    AuthorisationForm,
    FeedbackForm,
    ReviewSettingsForm,
)
from .models import AuthorisationStatus, ReviewAction, ReviewOrigin, ReviewState
from .reasons import REVIEW_REASONS, note_text, reason_text, sampling_text
from .services import local_today


def _require_reviewer(user) -> None:
    if not has_perm(user, Perm.CLAIM_REVIEW):
        raise Forbidden()


@login_required
def queue_view(request):
    """Claims under review (sampled or appealed), oldest first; prior authorisations."""
    user = request.user
    _require_reviewer(user)
    origin, state = request.GET.get("origin", ""), request.GET.get("state", "")
    provider = request.GET.get("provider", "")
    claims = review.review_queue(
        user=user, origin=origin, state=state, provider_id=provider if provider.isdigit() else None
    )
    requests = list(
        authorisations.authorisation_list(user=user)
        .filter(status=AuthorisationStatus.REQUESTED)
        .select_related("mutual")[:50]
    )
    for pa in requests:
        pa.overdue = pa.due_on < local_today(pa.mutual)
    return render(
        request,
        "claims/review_queue.html",
        {
            "page": paginate(request, claims, 30),
            "origin": origin,
            "state": state,
            "provider": provider,
            "origins": ReviewOrigin.choices,
            "states": [(ReviewState.OPEN, ReviewState.OPEN.label),
                       (ReviewState.PENDING, ReviewState.PENDING.label)],
            "providers": Provider.objects.filter(
                pk__in=claims.values("provider_id")
            ).order_by("name"),
            "requests": requests,
        },
    )  # fmt: skip


def _parse_choices(post, lines) -> tuple[list[review.LineChoice], dict]:
    choices, errors = [], {}
    for ln in lines:
        p = ln.position
        action = post.get(f"action_{p}", ReviewAction.KEEP)
        qty = amount = None
        if post.get(f"qty_{p}", "").strip():
            try:
                qty = int(post[f"qty_{p}"])
            except ValueError:
                errors[f"lines.{p}.quantity"] = _("The quantity must be a whole number.")
        if post.get(f"amount_{p}", "").strip():
            try:
                amount = Decimal(post[f"amount_{p}"].strip().replace(",", "."))
                if not amount.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors[f"lines.{p}.amount"] = _("The amount must be a number.")
        choices.append(
            review.LineChoice(
                position=p,
                action=action,
                quantity=qty,
                amount=amount,
                reason=post.get(f"reason_{p}", ""),
                note=post.get(f"note_{p}", ""),
            )
        )
    return choices, errors


@login_required
def review_claim_view(request, claim_id: int):
    """One claim under review: per line keep, accept, reduce or reject, with a reason."""
    user = request.user
    claim = selectors.claim_get(user=user, claim_id=claim_id)
    require(user, Perm.CLAIM_REVIEW, on=claim.section)
    errors = {}
    if request.method == "POST":
        try:
            choices, errors = _parse_choices(request.POST, claim.lines.all())
            if errors:
                raise review.ValidationFailed(fields=errors)
            case = review.review_decide(actor=user, claim=claim, choices=choices)
        except DomainError as exc:
            flash_error(request, exc)
            errors = {k: str(v) for k, v in exc.fields.items()}
        else:
            if case.state == ReviewState.PENDING:
                messages.warning(
                    request, _("Above the threshold: the decision awaits a second approval.")
                )
            else:
                messages.success(request, _("The review decision is recorded."))
            return redirect("claims:review_claim", claim_id=claim.pk)
    case = review.open_case_of(claim)
    pending = {}
    if case is not None and case.state == ReviewState.PENDING:
        pending = {r.line_id: r for r in case.lines.filter(applied=False)}
    cur = claim.currency
    rows = []
    for ln in claim.lines.prefetch_related("appeals"):
        rows.append(
            {
                "line": ln,
                "reasons": [reason_text(r, cur) for r in ln.reasons],
                "notes": [note_text(n, cur) for n in ln.notes],
                "appeal": next((a for a in ln.appeals.all() if a.status == "open"), None),
                "pending": pending.get(ln.pk),
                "errors": [v for k, v in errors.items() if k.startswith(f"lines.{ln.position}")],
                "posted": {
                    k: request.POST.get(f"{k}_{ln.position}", "")
                    for k in ("action", "qty", "amount", "reason", "note")
                },
            }
        )
    diagnoses = None
    if selectors.sees_diagnoses(user, claim):
        diagnoses = [(code, icd10_title(code)) for code in claim.diagnoses]
    return render(
        request,
        "claims/review_claim.html",
        {
            "claim": claim,
            "case": case,
            "rows": rows,
            "sampled": [sampling_text(r, cur) for r in (case.reasons if case else [])],
            "diagnoses": diagnoses,
            "actions": ReviewAction.choices,
            "reasons": list(REVIEW_REASONS.items()),
            "can_approve": case is not None
            and case.state == ReviewState.PENDING
            and user.pk not in (case.reviewed_by_id, claim.entered_by_id),
            "events": claim.events.select_related("actor"),
        },
    )


@login_required
@require_POST
def review_approve_view(request, claim_id: int):
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    case = review.open_case_of(claim)
    if case is None:
        raise NotFound()
    try:
        if "return" in request.POST:
            review.review_return(actor=request.user, case=case)
            messages.success(request, _("The decision was returned to the reviewer."))
        else:
            review.review_approve(actor=request.user, case=case)
            messages.success(request, _("Approved: the review decision takes effect."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("claims:review_claim", claim_id=claim.pk)


def _settings_mutuals(user) -> list:
    return [
        o
        for o in organisation_list(user=user)
        if o.kind == "mutual"
        and (has_perm(user, Perm.CLAIM_REVIEW, on=o) or has_perm(user, Perm.ORG_MANAGE, on=o))
    ]


@login_required
def review_settings_view(request):
    """The mutual's sampling, four-eyes, authorisation and feedback settings."""
    mutuals = _settings_mutuals(request.user)
    if not mutuals:
        raise Forbidden()
    chosen = request.GET.get("mutual", "")
    mutual = next((m for m in mutuals if str(m.pk) == chosen), mutuals[0])
    conf = review.settings_for(mutual)
    form = ReviewSettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        try:
            review.review_settings_update(actor=request.user, mutual=mutual, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The review settings are saved."))
            return redirect(f"{request.path}?mutual={mutual.pk}")
    return render(
        request,
        "claims/review_settings.html",
        {"form": form, "mutual": mutual, "mutuals": mutuals},
    )


# --- Prior authorisations ------------------------------------------------------------


@login_required
def authorisation_list_view(request):
    """An agent asks and follows the own provider's requests; advisers see their scope."""
    user = request.user
    own = sorted(provider_ids(user))
    if not own and not has_perm(user, Perm.CLAIM_VIEW):
        raise Forbidden()
    form = AuthorisationForm(request.POST or None) if own else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pa = authorisations.authorisation_request(
                actor=user,
                provider=provider_get(user=user, provider_id=own[0]),
                card_number=data["card_number"],
                items=data["items"].replace(",", " ").split(),
                planned_on=data["planned_on"],
                justification=data["justification"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The request was sent to the medical adviser."))
            return redirect("claims:authorisation", authorisation_id=pa.pk)
    status = request.GET.get("status", "")
    qs = authorisations.authorisation_list(user=user)
    if status in AuthorisationStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "claims/authorisations.html",
        {
            "page": paginate(request, qs, 30),
            "form": form,
            "status": status,
            "statuses": AuthorisationStatus.choices,
        },
    )


@login_required
def authorisation_view(request, authorisation_id: int):
    user = request.user
    pa = authorisations.authorisation_get(user=user, authorisation_id=authorisation_id)
    can_decide = pa.status == AuthorisationStatus.REQUESTED and has_perm(
        user, Perm.CLAIM_REVIEW, on=pa.section
    )
    form = AuthorisationDecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        if form is None:
            require(user, Perm.CLAIM_REVIEW, on=pa.section)
            flash_error(request, authorisations.AlreadyAnswered())
            return redirect("claims:authorisation", authorisation_id=pa.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                authorisations.authorisation_decide(
                    actor=user,
                    authorisation=pa,
                    approve=data["decision"] == "approve",
                    answer=data["answer"],
                    valid_until=data["valid_until"],
                )
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                return redirect("claims:authorisation", authorisation_id=pa.pk)
    return render(
        request,
        "claims/authorisation.html",
        {
            "pa": pa,
            "form": form,
            "sees_justification": has_perm(user, Perm.DIAGNOSIS_VIEW, on=pa.section)
            or pa.provider_id in provider_ids(user),
            "overdue": pa.status == AuthorisationStatus.REQUESTED
            and pa.due_on < local_today(pa.mutual),
        },
    )


# --- Member feedback -----------------------------------------------------------------


@login_required
def feedback_list_view(request):
    """A member's open questions about their care; a clerk's, to record phone answers."""
    user = request.user
    if not has_perm(user, Perm.COMPLAINT_HANDLE) and not selectors._member_household_ids(user):
        raise Forbidden()
    qs = feedback.feedback_list(user=user)
    return render(
        request,
        "claims/feedback_list.html",
        {"page": paginate(request, qs.order_by("answered_at", "-asked_at"), 30)},
    )


@login_required
def feedback_view(request, question_id: int):
    question = feedback.feedback_get(user=request.user, question_id=question_id)
    form = FeedbackForm(request.POST or None) if question.answered_at is None else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback.feedback_answer(
                actor=request.user,
                question=question,
                care_received=data["care_received"],
                extra_charged=data["extra_charged"],
                extra_amount=data["extra_amount"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
            return redirect("claims:feedback_list")
    return render(
        request,
        "claims/feedback.html",
        {"question": question, "claim": question.claim, "form": form},
    )

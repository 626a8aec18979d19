"""Claims pages: entry, list, claim story, explanation of benefits (page + PDF),
provider export (XLSX), review list and paper batches.

Views parse input, fetch through scoped selectors, call one service, render.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualis.core.documents import pdf_response, render_pdf
from mutualis.core.errors import DomainError, Forbidden
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, provider_ids, require, scope_paths
from mutualis.providers.models import Provider
from mutualis.providers.selectors import provider_get, provider_list
from mutualis.web.util import form_errors_from, paginate

from . import selectors, services
from .facts import icd10_title
from .forms import AppealForm, BatchForm, ClaimForm, initial_from
from .models import ClaimSource, ClaimStatus
from .reasons import note_text, reason_text


def _can_enter(user) -> bool:
    return bool(provider_ids(user)) or has_perm(user, Perm.CLAIM_ENTER)


@login_required
def claim_list_view(request):
    claims = selectors.claim_list(user=request.user)
    status = request.GET.get("status", "")
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    number = request.GET.get("q", "").strip()
    if number:
        claims = claims.filter(membership__number=number)
    return render(
        request,
        "claims/list.html",
        {
            "page": paginate(request, claims, 30),
            "statuses": ClaimStatus.choices,
            "status": status,
            "q": number,
            "can_enter": _can_enter(request.user),
            "is_agent": bool(provider_ids(request.user)),
        },
    )


def _line_inputs(form, errors):
    lines = []
    for i, item, qty, price in form.lines():
        if price is None:
            errors[f"price_{i}"] = _("Type the unit price.")
            continue
        lines.append(services.LineInput(item, qty, price))
    return lines


def _map_fields(exc: DomainError) -> None:
    """Name the form's fields in the error (lines.2.quantity → qty_2)."""
    names = {"quantity": "qty", "unit_price": "price", "item": "item", "on": "item"}
    mapped = {}
    for key, msg in exc.fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3:
            mapped[f"{names.get(parts[2], 'item')}_{parts[1]}"] = msg
        elif parts[0] == "diagnoses":
            mapped["diagnoses"] = msg
        else:
            mapped[key] = msg
    exc.fields = mapped


@login_required
def claim_new_view(request):
    """Fast keyboard entry: card number, dates, care, diagnoses, then lines."""
    user = request.user
    if not _can_enter(user):
        raise Forbidden()
    batch = None
    if request.GET.get("batch"):
        batch = selectors.batch_get(user=user, batch_id=request.GET["batch"])
    own = sorted(provider_ids(user))
    providers = None
    if batch is None and not own:
        providers = list(provider_list(user=user))
    form = ClaimForm(request.POST or None, providers=providers)
    eligibility = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if batch is not None:
                provider = batch.provider
            elif own:
                provider = Provider.objects.get(pk=own[0])
            else:
                provider = provider_get(user=user, provider_id=data["provider"])
            if "check" in request.POST:
                eligibility = _eligibility(user, data, provider)
            else:
                submit = services.claim_submit
                if batch is not None and request.POST.get("defer"):  # stored for the batch
                    from .batch import claim_defer as submit
                claim = submit(
                    actor=user,
                    provider=provider,
                    data=_claim_input(form),
                    key=request.POST.get("key", ""),
                    source=ClaimSource.PAPER if batch else ClaimSource.WEB,
                    batch=batch,
                )
                return _decided(request, claim)
        except DomainError as exc:
            _map_fields(exc)
            form_errors_from(form, exc)
    import uuid

    return render(
        request,
        "claims/new.html",
        {"form": form, "batch": batch, "eligibility": eligibility, "key": uuid.uuid4().hex},
    )


def _claim_input(form) -> services.ClaimInput:
    """The typed claim, or InvalidLines naming the rows without a price."""
    errors = {}
    lines = _line_inputs(form, errors)
    if errors:
        raise services.InvalidLines(fields=errors)
    data = form.cleaned_data
    return services.ClaimInput(
        card_number=data["card_number"],
        start_on=data["start_on"],
        end_on=data["end_on"],
        care_type=data["care_type"],
        diagnoses=tuple(data["diagnoses"].replace(",", " ").split()),
        lines=tuple(lines),
        referral=data["referral"],
        authorisation=data["authorisation"],
        provider_reference=data["provider_reference"],
    )


def _decided(request, claim):
    messages.success(
        request,
        _("Claim %(id)s: %(status)s.") % {"id": claim.pk, "status": claim.get_status_display()},
    )
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
def claim_correct_view(request, claim_id: int):
    """The entry form pre-filled with a claim; submitting it replaces the claim."""
    import uuid

    original = selectors.claim_get(user=request.user, claim_id=claim_id)
    services.correction_check(request.user, original)
    lines = list(original.lines.all())
    form = ClaimForm(
        request.POST or None,
        rows=len(lines),
        initial=initial_from(original, diagnoses=selectors.sees_diagnoses(request.user, original)),
    )
    form.fields["card_number"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_correct(
                actor=request.user,
                original=original,
                data=_claim_input(form),
                key=request.POST.get("key", ""),
            )
            return _decided(request, claim)
        except DomainError as exc:
            _map_fields(exc)
            form_errors_from(form, exc)
    return render(
        request,
        "claims/new.html",
        {"form": form, "original": original, "key": uuid.uuid4().hex},
    )


def _eligibility(user, data, provider):
    from mutualis.benefits.presenters import answer_dict
    from mutualis.benefits.services import eligibility_check

    answer = eligibility_check(
        actor=user, number=data["card_number"], on=data["start_on"], provider_id=provider.pk
    )
    return answer_dict(answer, user=user)


def _lines_view(claim):
    cur = claim.currency
    return [
        {
            "line": ln,
            "reasons": [reason_text(r, cur) for r in ln.reasons],
            "notes": [note_text(n, cur) for n in ln.notes],
            "open_appeal": any(a.status == "open" for a in ln.appeals.all()),
        }
        for ln in claim.lines.prefetch_related("appeals")
    ]


@login_required
def claim_detail_view(request, claim_id: int):
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    if selectors.is_member_reader(request.user, claim):
        return redirect("claims:eob", claim_id=claim.pk)
    diagnoses = None
    if selectors.sees_diagnoses(request.user, claim):
        diagnoses = [(code, icd10_title(code)) for code in claim.diagnoses]
    can_appeal = claim.provider_id in provider_ids(request.user)
    can_correct = claim.status != ClaimStatus.REPLACED and (
        can_appeal or has_perm(request.user, Perm.CLAIM_ADJUDICATE, on=claim.section)
    )
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "lines": _lines_view(claim),
            "events": claim.events.select_related("actor"),
            "diagnoses": diagnoses,
            "can_appeal": can_appeal and claim.status != ClaimStatus.REPLACED,
            "appeal_form": AppealForm(),
            "corrections": claim.corrections.all(),
            "can_correct": can_correct,
        },
    )


@login_required
@require_POST
def appeal_view(request, claim_id: int, position: int):
    line = selectors.line_get(user=request.user, claim_id=claim_id, position=position)
    form = AppealForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ValidationFailed(
                fields={"reason": _("Say why the line should be paid.")}
            )
        services.line_appeal(actor=request.user, line=line, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The appeal was sent to the mutual."))
    return redirect("claims:detail", claim_id=claim_id)


def _member_language(claim) -> str:
    user = getattr(claim.membership.person, "user", None)
    return getattr(user, "language", None) or settings.LANGUAGE_CODE


def _member_owes(claim) -> tuple[Decimal, Decimal]:
    """(what the member pays in all, what nobody owes: the part above the tariffs).

    The member pays the member's share of accepted lines and the units the mutual
    does not cover (at the agreed price); the amount above a negotiated tariff or
    flat rate may not be charged to anyone (DOMAIN §6).
    """
    owes, above = claim.member_share, Decimal(0)
    for ln in claim.lines.all():
        agreed = ln.unit_price
        for note in ln.notes:
            if note.get("code") == "tariff":
                agreed = min(agreed, Decimal(str(note["params"]["tariff"])))
        owes += (ln.quantity - ln.accepted_quantity) * agreed
        above += max(
            Decimal(0), ln.claimed - ln.accepted - (ln.quantity - ln.accepted_quantity) * agreed
        )
    return owes, above


def _eob_context(claim):
    owes, above = _member_owes(claim)
    return {
        "claim": claim,
        "person": claim.membership.person,
        "lines": _lines_view(claim),
        "paid_by_member": owes,
        "above_tariff": above,
    }


@login_required
def eob_view(request, claim_id: int):
    """Explanation of benefits: what was claimed, paid by the mutual and by the member, why."""
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    return render(request, "claims/eob.html", _eob_context(claim))


@login_required
def eob_pdf_view(request, claim_id: int):
    """The EOB as PDF, in the member's language."""
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    with translation.override(_member_language(claim)):
        pdf = render_pdf("claims/eob_pdf.html", _eob_context(claim), request=request)
    return pdf_response(pdf, f"eob-{claim.pk}.pdf")


@login_required
def export_view(request):
    """The claims in scope (a provider: its own) with lines and reasons, as XLSX."""
    import xlsxwriter

    claims = selectors.claim_list(user=request.user).prefetch_related("lines")
    month = request.GET.get("month", "")
    if len(month) == 7:
        try:
            year, mon = (int(x) for x in month.split("-"))
            claims = claims.filter(start_on__year=year, start_on__month=mon)
        except ValueError:
            pass
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Claims")[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    headers = [
        _("Claim"), _("Provider"), _("Card number"), _("Date of care"), _("Status"),
        _("Line"), _("Item"), _("Quantity"), _("Claimed"), _("Accepted"),
        _("Paid by the mutual"), _("Paid by the member"), _("Decision"), _("Reasons"),
    ]  # fmt: skip
    sheet.write_row(0, 0, headers, bold)
    row = 1
    for claim in claims[:20000]:
        for ln in claim.lines.all():
            why = [reason_text(r, claim.currency) for r in ln.reasons]
            why += [note_text(n, claim.currency) for n in ln.notes]
            sheet.write_number(row, 0, claim.pk)
            sheet.write_string(row, 1, claim.provider.name)
            sheet.write_string(row, 2, claim.membership.number)
            sheet.write_datetime(row, 3, _as_datetime(claim.start_on), day)
            sheet.write_string(row, 4, str(claim.get_status_display()))
            sheet.write_number(row, 5, ln.position + 1)
            sheet.write_string(row, 6, ln.item_code)
            sheet.write_number(row, 7, ln.quantity)
            for col, value in enumerate(
                (ln.claimed, ln.accepted, ln.mutual_share, ln.member_share), start=8
            ):
                sheet.write_number(row, col, value)  # xlsx stores numbers as doubles
            sheet.write_string(row, 12, str(ln.get_status_display()))
            sheet.write_string(row, 13, " ".join(why))
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(headers) - 1)
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="claims-{month or "all"}.xlsx"'
    return response


def _as_datetime(day):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


# --- Paper batches -------------------------------------------------------------------------


@login_required
def batches_view(request):
    require(request.user, Perm.CLAIM_ADJUDICATE)
    providers = list(provider_list(user=request.user))
    form = BatchForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            provider = provider_get(user=request.user, provider_id=data["provider"])
            mutual = _mutual_of(request.user)
            batch = services.batch_open(
                actor=request.user,
                provider=provider,
                mutual=mutual,
                reference=data["reference"],
                period=data["period"],
                received_on=data["received_on"],
                declared_count=data["declared_count"],
                declared_amount=data["declared_amount"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("claims:batch", batch_id=batch.pk)
    batches = selectors.batch_list(user=request.user)
    return render(
        request, "claims/batches.html", {"page": paginate(request, batches, 30), "form": form}
    )


def _mutual_of(user):
    from mutualis.core.models import Organisation, OrgKind

    paths = scope_paths(user, Perm.CLAIM_ADJUDICATE)
    for path in paths:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        org = (
            Organisation.objects.filter(pk__in=ids, kind=OrgKind.MUTUAL).first()
            or Organisation.objects.filter(path__startswith=path, kind=OrgKind.MUTUAL).first()
        )
        if org is not None:
            return org
    raise Forbidden()


@login_required
def batch_view(request, batch_id: int):
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    if request.method == "POST":
        try:
            services.batch_close(actor=request.user, batch=batch)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The batch is closed: its totals match."))
        return redirect("claims:batch", batch_id=batch.pk)
    count, amount = services.batch_totals(batch)
    return render(
        request,
        "claims/batch.html",
        {
            "batch": batch,
            "claims": batch.claims.select_related("membership__person"),
            "count": count,
            "amount": amount,
        },
    )

"""Register pages: search, enrol, household (history and cover), edit, transfer, status,
cards, duplicates and merge, bulk import, the member's own page, card verification.

Views parse, fetch through scoped selectors, call one service, render.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualis.core.errors import DomainError, NotFound
from mutualis.core.models import Organisation, OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.core.selectors import organisation_list
from mutualis.web.util import flash_error, form_errors_from

from . import cards, importer, selectors, services
from .forms import (
    BeneficiaryForm,
    CoverageForm,
    HouseholdForm,
    ImportForm,
    PersonEditForm,
    PersonFormSet,
    ResignForm,
    SearchForm,
    StatusForm,
    TransferForm,
)
from .models import (
    CoveragePeriod,
    ImportStatus,
    MemberImport,
    Relationship,
)
from .numbers import display

PER_PAGE = 25


def today_in(org: Organisation | None) -> date:
    """'Today' of a mutual is in its own time zone."""
    zone = getattr(org, "time_zone", None) or settings.TIME_ZONE
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def _sections(user, perm=Perm.MEMBER_EDIT):
    return [
        s for s in organisation_list(user=user, kind=OrgKind.SECTION) if has_perm(user, perm, on=s)
    ]


def _date_param(request, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return default


# --- List and search ---------------------------------------------------------------


@login_required
def list_view(request):
    form = SearchForm(request.GET or None)
    query = request.GET.get("q", "").strip()
    rows, error, has_next = [], None, False
    raw_page = request.GET.get("page", "1")
    page = max(1, int(raw_page)) if raw_page.isdigit() else 1
    try:
        # No COUNT(*) over a million rows: one row more tells if there is a next page.
        rows, has_next = selectors.member_search_page(
            user=request.user, query=query, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
        )
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            raise
        error = exc
        form_errors_from(form, exc)
    if query and len(rows) == 1 and page == 1 and not has_next:
        messages.info(request, _("One member found."))
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "rows": rows,
            "query": query,
            "page": page,
            "has_next": has_next,
            "error": error,
            "can_edit": has_perm(request.user, Perm.MEMBER_EDIT),
            "can_import": has_perm(request.user, Perm.MEMBER_IMPORT),
        },
    )


# --- Enrolment ---------------------------------------------------------------------


def _person_inputs(formset) -> list[services.PersonInput]:
    out = []
    for i, f in enumerate(formset.forms):
        if f.is_blank():
            continue
        d = f.cleaned_data
        out.append(
            services.PersonInput(
                first_name=d.get("first_name") or "",
                last_name=d.get("last_name") or "",
                sex=d.get("sex") or "",
                relationship=Relationship.HEAD if i == 0 else (d.get("relationship") or ""),
                birth_year=d.get("birth_year"),
                birth_date=d.get("birth_date"),
                national_id=d.get("national_id") or "",
                phone=d.get("phone") or "",
            )
        )
    return out


def _place_person_errors(formset, error: DomainError) -> DomainError:
    """Map 'persons.<i>.<field>' (index among filled rows) onto the grid's forms."""
    filled = [f for f in formset.forms if not f.is_blank()]
    rest = {}
    for key, message in error.fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "persons" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(filled) and parts[2] in filled[i].fields:
                filled[i].add_error(parts[2], str(message))
                continue
            field = "birth_year" if parts[2] == "birth_year" else parts[2]
            if i < len(filled) and field in filled[i].fields:
                filled[i].add_error(field, str(message))
                continue
        rest[key] = message
    return rest


@login_required
def enrol_view(request):
    require(request.user, Perm.MEMBER_EDIT)
    sections = _sections(request.user)
    groups = selectors.group_list(user=request.user)
    form = HouseholdForm(
        request.POST or None,
        sections=sections,
        groups=groups,
        initial={"joined_on": today_in(sections[0] if sections else None)},
    )
    formset = PersonFormSet(request.POST or None, prefix="p")
    formset.forms[0].fields["last_name"].widget.attrs["autofocus"] = True
    duplicates = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        section = next((s for s in sections if str(s.pk) == d["section"]), None)
        if section is None:
            raise NotFound()
        group = groups.filter(pk=d["group"]).first() if d.get("group") else None
        persons = _person_inputs(formset)
        persons = [replace(p, locality=d["locality"]) if d.get("locality") else p for p in persons]
        try:
            if not persons or formset.forms[0].is_blank():
                raise services.NotAHead()
            result = services.household_enrol(
                actor=request.user,
                section=section,
                persons=persons,
                joined_on=d["joined_on"],
                category=d["category"],
                group=group,
                locality=d.get("locality") or "",
                activate=d.get("activate", False),
                confirm_not_duplicate=d.get("confirm_not_duplicate", False),
            )
        except services.PossibleDuplicate as exc:
            duplicates = exc.matches
            form.add_error(None, str(exc))
            data = request.POST.copy()
            data["confirm_not_duplicate"] = "on"
            form.data = data
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            rest = _place_person_errors(formset, exc)
            if rest or not exc.fields:
                form_errors_from(form, type(exc)(exc.message, fields=rest, **exc.params))
        else:
            messages.success(
                request,
                _("Household %(number)s enrolled with %(count)d persons.")
                % {"number": result.household.number, "count": len(result.memberships)},
            )
            return redirect("members:household", household_id=result.household.pk)
    return render(
        request,
        "members/enrol.html",
        {"form": form, "formset": formset, "duplicates": duplicates},
    )


# --- Household page ------------------------------------------------------------------


def _household_context(request, household, *, readonly: bool):
    on = _date_param(request, today_in(household.section))
    covers = selectors.household_cover_on(household, on)
    memberships = list(
        household.memberships.select_related("person").prefetch_related("status_changes", "cards")
    )
    history = sorted(
        (c for m in memberships for c in m.status_changes.all()),
        key=lambda c: (c.effective_on, c.recorded_at, c.pk),
        reverse=True,
    )
    by_id = {m.pk: m for m in memberships}
    for c in history:
        c.member = by_id[c.membership_id]
    current_cards = {
        m.pk: next((c for c in m.cards.all() if c.revoked_at is None), None) for m in memberships
    }
    return {
        "household": household,
        "on": on,
        "covers": covers,
        "memberships": memberships,
        "cards": current_cards,
        "history": history,
        "periods": CoveragePeriod.objects.filter(household=household)
        .select_related("package", "membership__person")
        .order_by("-start_on"),
        "readonly": readonly,
        "can_edit": not readonly and has_perm(request.user, Perm.MEMBER_EDIT, on=household.section),
        "display_number": display,
    }


@login_required
def household_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    ctx = _household_context(request, household, readonly=False)
    return render(request, "members/household.html", ctx)


@login_required
def mine_view(request):
    household = selectors.household_mine(user=request.user)
    ctx = _household_context(request, household, readonly=True)
    return render(request, "members/household.html", ctx)


@login_required
def beneficiary_add_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    require(request.user, Perm.MEMBER_EDIT, on=household.section)
    form = BeneficiaryForm(request.POST or None, initial={"joined_on": today_in(household.section)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.beneficiary_add(
                actor=request.user,
                household=household,
                person=services.PersonInput(
                    first_name=d["first_name"],
                    last_name=d["last_name"],
                    sex=d["sex"],
                    relationship=d["relationship"],
                    birth_year=d.get("birth_year"),
                    birth_date=d.get("birth_date"),
                    national_id=d.get("national_id") or "",
                    phone=d.get("phone") or "",
                    locality=household.locality,
                ),
                joined_on=d["joined_on"],
                activate=d.get("activate", False),
                confirm_not_duplicate=d.get("confirm_not_duplicate", False),
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Beneficiary added."))
            return redirect("members:household", household_id=household.pk)
    return render(
        request,
        "members/form_page.html",
        {"form": form, "title": _("Add a beneficiary"), "household": household},
    )


@login_required
def person_edit_view(request, person_id: int):
    person = selectors.person_get(user=request.user, person_id=person_id)
    membership = person.memberships.order_by("left_on", "-joined_on").first()
    require(request.user, Perm.MEMBER_EDIT, on=membership.section)
    initial = {
        f: getattr(person, f)
        for f in ("last_name", "first_name", "sex", "birth_date", "birth_year")
        + ("national_id", "phone", "locality", "address")
    }
    form = PersonEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        photo = d.pop("photo", None)
        try:
            services.person_correct(
                actor=request.user,
                person=person,
                on=today_in(membership.section),
                photo=photo or None,
                **d,
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Identity corrected."))
            return redirect("members:household", household_id=membership.household_id)
    return render(
        request,
        "members/form_page.html",
        {
            "form": form,
            "title": _("Correct the identity of %(name)s") % {"name": person},
            "household": membership.household,
            "multipart": True,
        },
    )


@login_required
def transfer_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    require(request.user, Perm.MEMBER_EDIT, on=household.section)
    sections = [
        s
        for s in _sections(request.user)
        if s.parent_id == household.mutual_id and s.pk != household.section_id
    ]
    form = TransferForm(
        request.POST or None, sections=sections, initial={"on": today_in(household.section)}
    )
    if request.method == "POST" and form.is_valid():
        section = next(s for s in sections if str(s.pk) == form.cleaned_data["section"])
        try:
            services.household_transfer(
                actor=request.user, household=household, section=section, on=form.cleaned_data["on"]
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request, _("Household transferred to %(section)s.") % {"section": section}
            )
            if has_perm(request.user, Perm.MEMBER_VIEW, on=section):
                return redirect("members:household", household_id=household.pk)
            return redirect("members:list")
    return render(
        request,
        "members/form_page.html",
        {"form": form, "title": _("Transfer to another section"), "household": household},
    )


@login_required
def resign_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    require(request.user, Perm.MEMBER_EDIT, on=household.section)
    form = ResignForm(request.POST or None, initial={"on": today_in(household.section)})
    if request.method == "POST" and form.is_valid():
        try:
            services.household_resign(
                actor=request.user,
                household=household,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The household has resigned."))
            return redirect("members:household", household_id=household.pk)
    return render(
        request,
        "members/form_page.html",
        {"form": form, "title": _("Resignation of the household"), "household": household},
    )


@login_required
def status_view(request, membership_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=membership_id)
    require(request.user, Perm.MEMBER_EDIT, on=membership.section)
    form = StatusForm(request.POST or None, initial={"on": today_in(membership.section)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kw = {"actor": request.user, "membership": membership, "on": d["on"]}
        try:
            match d["action"]:
                case "activate":
                    services.membership_activate(**kw)
                case "suspend":
                    services.membership_suspend(**kw)
                case "reactivate":
                    services.membership_reactivate(**kw)
                case "resign":
                    services.membership_resign(**kw, note=d["note"])
                case "remove":
                    services.beneficiary_remove(**kw, note=d["note"])
                case "exclude":
                    services.membership_exclude(**kw, note=d["note"])
                case "death":
                    services.person_record_death(
                        actor=request.user, person=membership.person, died_on=d["on"]
                    )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("members:household", household_id=membership.household_id)
    return render(
        request,
        "members/form_page.html",
        {
            "form": form,
            "title": _("Change the status of %(name)s") % {"name": membership.person},
            "household": membership.household,
        },
    )


@login_required
def coverage_view(request, household_id: int):
    from mutualis.benefits.models import Package

    household = selectors.household_get(user=request.user, household_id=household_id)
    require(request.user, Perm.MEMBER_EDIT, on=household.section)
    packages = Package.objects.filter(mutual=household.mutual, is_active=True)
    on = today_in(household.section)
    form = CoverageForm(
        request.POST or None,
        packages=packages,
        initial={"start_on": on, "expiry_on": date(on.year, 12, 31)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.coverage_period_open(
                actor=request.user,
                household=household,
                package=packages.get(pk=d["package"]),
                start_on=d["start_on"],
                expiry_on=d["expiry_on"],
                enrolled_on=on,
                status=d["status"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Coverage period opened."))
            return redirect("members:household", household_id=household.pk)
    return render(
        request,
        "members/form_page.html",
        {"form": form, "title": _("Open a coverage period"), "household": household},
    )


# --- Cards and photos ----------------------------------------------------------------


@login_required
@require_POST
def card_issue_view(request, membership_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=membership_id)
    try:
        services.card_issue(
            actor=request.user, membership=membership, on=today_in(membership.section)
        )
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("members:household", household_id=membership.household_id)
    return redirect("members:card_pdf", membership_id=membership.pk)


@login_required
def card_pdf_view(request, membership_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=membership_id)
    card = selectors.card_current(membership)
    if card is None:
        raise NotFound(_("This member has no valid card yet: issue one."))
    payload = cards.payload_for(card)
    verify_url = request.build_absolute_uri(reverse("card_verify", args=[payload]))
    pdf = cards.card_pdf(card, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="carte-{membership.number}-{card.serial}.pdf"'
    )
    return response


def _may_see_photo(user, membership) -> bool:
    if has_perm(user, Perm.MEMBER_VIEW, on=membership.section):
        return True
    if has_perm(user, Perm.ELIGIBILITY_CHECK, on=membership.section):
        return True
    person = membership.person
    return bool(person.user_id and person.user_id == user.pk)


@login_required
def photo_view(request, membership_id: int):
    """A member's photo, only to those who may see the member (never a public URL)."""
    from .models import Membership

    membership = (
        Membership.objects.select_related("person", "section").filter(pk=membership_id).first()
    )
    if (
        membership is None
        or not membership.person.photo
        or not _may_see_photo(request.user, membership)
    ):
        raise NotFound()
    response = FileResponse(membership.person.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


def verify_view(request, payload: str):
    """Anonymous: genuine and valid, yes or no. A provider agent or a clerk with the
    eligibility right also sees name, status and photo."""
    result = cards.verify_payload(payload, on=today_in(None))
    detailed = (
        result.genuine
        and request.user.is_authenticated
        and has_perm(request.user, Perm.ELIGIBILITY_CHECK, on=result.membership.section)
    )
    return render(
        request,
        "members/verify.html",
        {
            "result": result,
            "detailed": detailed,
            "number": display(result.membership.number) if detailed else "",
        },
    )


# --- Duplicates and merge ------------------------------------------------------------


@login_required
def duplicates_view(request):
    rows = selectors.duplicate_list(user=request.user)[:200]
    return render(request, "members/duplicates.html", {"rows": rows})


@login_required
def duplicate_view(request, candidate_id: int):
    candidate = selectors.duplicate_get(user=request.user, candidate_id=candidate_id)
    if request.method == "POST":
        on = today_in(candidate.mutual)
        try:
            action = request.POST.get("action")
            if action == "dismiss":
                services.duplicate_dismiss(actor=request.user, candidate=candidate)
                messages.success(request, _("Marked as not a duplicate."))
            elif action in ("keep_person", "keep_other"):
                keep, dup = (candidate.person, candidate.other)
                if action == "keep_other":
                    keep, dup = dup, keep
                services.persons_merge(actor=request.user, keep=keep, duplicate=dup, on=on)
                messages.success(request, _("Merged into %(name)s.") % {"name": keep})
            return redirect("members:duplicates")
        except DomainError as exc:
            flash_error(request, exc)
    people = []
    for p in (candidate.person, candidate.other):
        people.append(
            {"person": p, "memberships": p.memberships.select_related("household", "section")}
        )
    return render(request, "members/duplicate.html", {"candidate": candidate, "people": people})


# --- Import --------------------------------------------------------------------------


def _import_mutuals(user):
    mutual_ids = {s.parent_id for s in _sections(user, Perm.MEMBER_IMPORT)}
    return list(Organisation.objects.filter(pk__in=mutual_ids).order_by("name"))


INLINE_ROWS = 20_000  # a clerk's file is imported at once; larger ones go to the task queue


@login_required
def import_view(request):
    require(request.user, Perm.MEMBER_IMPORT)
    mutuals = _import_mutuals(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, mutuals=mutuals)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mutual = next(m for m in mutuals if str(m.pk) == form.cleaned_data["mutual"])
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        stored = folder / f"{uuid.uuid4().hex}{suffix}"
        with stored.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        job = MemberImport.objects.create(
            mutual=mutual, actor=request.user, file_name=upload.name[:255], stored_path=str(stored)
        )
        from .tasks import import_members_task, run_import

        if upload.size <= INLINE_ROWS * 120:
            run_import(job.pk, language=get_language())
        else:
            import_members_task.enqueue(job.pk, get_language())
        return redirect("members:import_detail", import_id=job.pk)
    imports = selectors.import_list(user=request.user)[:20]
    return render(
        request, "members/import.html", {"form": form, "imports": imports, "mutuals": mutuals}
    )


@login_required
def import_detail_view(request, import_id: int):
    job = selectors.import_get(user=request.user, import_id=import_id)
    errors = []
    if job.error_report:
        import csv
        import io

        reader = csv.reader(io.StringIO(job.error_report))
        next(reader, None)
        errors = [row[-3:] for _i, row in zip(range(200), reader, strict=False)]
    return render(
        request,
        "members/import_detail.html",
        {
            "job": job,
            "errors": errors,
            "running": job.status in (ImportStatus.WAITING, ImportStatus.RUNNING),
        },
    )


@login_required
def import_errors_view(request, import_id: int):
    job = selectors.import_get(user=request.user, import_id=import_id)
    if not job.error_report:
        raise Http404()
    response = HttpResponse(job.error_report.encode("utf-8-sig"), content_type="text/csv")
    stem = Path(job.file_name).stem or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-erreurs.csv"'
    return response


@login_required
def import_template_view(request, fmt: str):
    require(request.user, Perm.MEMBER_IMPORT)
    language = request.GET.get("lang") or get_language() or "fr"
    language = "fr" if language.startswith("fr") else "en"
    sections = _sections(request.user, Perm.MEMBER_IMPORT)
    data = importer.template_bytes(language, fmt, sections[0].code if sections else "")
    kind = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv"
    )
    name = ("modele-membres" if language == "fr" else "members-template") + f".{fmt}"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

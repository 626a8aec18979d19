"""Governance pages: statutes, General Assemblies (convocation, check-in, votes,
elections, minutes), officers' register, board meetings, decisions, complaints,
institutional indicators. Parse → scoped selector → one service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualis.core.errors import DomainError, NotFound
from mutualis.core.models import OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, in_scope, require, sees
from mutualis.members.models import Membership
from mutualis.web.util import flash_error, paginate

from . import pdf, selectors, services
from .forms import (
    AcknowledgeForm,
    AnswerForm,
    AssemblyForm,
    CandidateForm,
    CheckInForm,
    CloseForm,
    ComplaintForm,
    ConveneForm,
    DocumentForm,
    ElectionForm,
    MandateForm,
    MeetingForm,
    MemberComplaintForm,
    PositionForm,
    ProxyForm,
    ResolutionForm,
    RollCallForm,
    StationTallyForm,
    StatutesForm,
    TallyForm,
)
from .models import AssemblyStatus, Choice, ComplaintChannel, ElectionStatus, VoteMode


def _errors(form, exc: DomainError) -> None:
    """The whole message on top (it names the member and the rule), the short one on the field."""
    form.add_error(None, str(exc))
    for field, message in exc.fields.items():
        if field in form.fields and str(message) != str(exc):
            form.add_error(field, str(message))


def _managed(request, orgs):
    return [o for o in orgs if has_perm(request.user, Perm.GOVERNANCE_MANAGE, on=o)]


def _mutuals(request):
    return list(selectors.governed_list(user=request.user))


@login_required
def home_view(request):
    require(request.user, Perm.GOVERNANCE_VIEW)
    orgs = _mutuals(request)
    if not orgs and selectors.member_memberships(user=request.user).exists():
        return redirect("governance:mine")  # a member: their mutual's GAs
    today = selectors.local_today(orgs[0]) if orgs else timezone.localdate()
    assemblies = selectors.assembly_list(user=request.user)
    return render(
        request,
        "governance/home.html",
        {
            "orgs": orgs,
            "managed": _managed(request, orgs),
            "page": paginate(request, assemblies),
            "ending": selectors.mandates_ending(user=request.user, on=today)[:20],
            "today": today,
        },
    )


# --- Statutes and positions ----------------------------------------------------------


@login_required
def statutes_view(request, organisation_id: int):
    org = selectors.organisation_get(user=request.user, organisation_id=organisation_id)
    require(request.user, Perm.GOVERNANCE_VIEW, on=org)
    statutes = selectors.statutes_get(organisation=org)
    initial = {f: getattr(statutes, f) for f in services.STATUTE_FIELDS}
    form = StatutesForm(request.POST or None, initial=initial, prefix="s")
    position_form = PositionForm(prefix="p")
    if request.method == "POST" and "p-title" in request.POST:
        form = StatutesForm(initial=initial, prefix="s")
        position_form = PositionForm(request.POST, prefix="p")
        if position_form.is_valid():
            try:
                services.position_create(
                    actor=request.user, organisation=org, **position_form.cleaned_data
                )
            except DomainError as exc:
                _errors(position_form, exc)
            else:
                messages.success(request, _("The position was added."))
                return redirect("governance:statutes", organisation_id=org.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            services.statutes_update(actor=request.user, organisation=org, **form.cleaned_data)
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The statutes were saved."))
            return redirect("governance:statutes", organisation_id=org.pk)
    return render(
        request,
        "governance/statutes.html",
        {
            "org": org,
            "form": form,
            "position_form": position_form,
            "positions": org.positions.all(),
            "can_manage": has_perm(request.user, Perm.GOVERNANCE_MANAGE, on=org),
        },
    )


# --- General Assembly -----------------------------------------------------------------


@login_required
def assembly_new_view(request):
    require(request.user, Perm.GOVERNANCE_MANAGE)
    orgs = [o for o in _managed(request, _mutuals(request)) if o.kind == OrgKind.MUTUAL] or (
        _managed(request, _mutuals(request))
    )
    form = AssemblyForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = selectors.organisation_get(
                user=request.user, organisation_id=data.pop("organisation")
            )
            assembly = services.assembly_create(actor=request.user, organisation=org, **data)
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The General Assembly was created."))
            return redirect("governance:assembly", assembly_id=assembly.pk)
    return render(request, "governance/assembly_new.html", {"form": form})


def _assembly_context(request, assembly, **extra):
    statutes = selectors.statutes_get(organisation=assembly.organisation)
    return {
        "assembly": assembly,
        "statutes": statutes,
        "quorum": selectors.assembly_quorum(assembly, statutes),
        "can_manage": has_perm(request.user, Perm.GOVERNANCE_MANAGE, on=assembly.organisation),
        # Lists of members (voters, check-in) only for those whose scope holds the GA's mutual.
        "sees_members": sees(request.user, assembly.organisation),
        "is_open": assembly.status == AssemblyStatus.CONVENED and assembly.electorate_frozen_at,
        **extra,
    }


@login_required
def assembly_view(request, assembly_id: int):
    assembly = selectors.assembly_get_for_reading(user=request.user, assembly_id=assembly_id)
    today = selectors.local_today(assembly.organisation)
    positions = assembly.organisation.positions.all()
    return render(
        request,
        "governance/assembly.html",
        _assembly_context(
            request,
            assembly,
            convene_form=ConveneForm(initial={"sent_on": today}, prefix="v"),
            document_form=DocumentForm(prefix="d"),
            resolution_form=ResolutionForm(prefix="r"),
            election_form=ElectionForm(positions=positions, prefix="e"),
            close_form=CloseForm(prefix="x"),
            resolutions=assembly.resolutions.all(),
            elections=assembly.elections.select_related("position"),
            documents=assembly.documents.all(),
            voters=assembly.voters.count(),
            letter_files=letter_files(assembly),
        ),
    )


def _back(assembly):
    return redirect("governance:assembly", assembly_id=assembly.pk)


@login_required
@require_POST
def convene_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = ConveneForm(request.POST, prefix="v")
    if form.is_valid():
        try:
            services.assembly_convene(
                actor=request.user, assembly=assembly, sent_on=form.cleaned_data["sent_on"]
            )
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("The sending of the convocation was recorded."))
    else:
        messages.error(request, _("Give the date the convocation was sent."))
    return _back(assembly)


@login_required
@require_POST
def document_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = DocumentForm(request.POST, request.FILES, prefix="d")
    if form.is_valid():
        try:
            services.document_add(actor=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("The document was added."))
    else:
        messages.error(request, _("Choose a PDF file."))
    return _back(assembly)


@login_required
def document_download_view(request, assembly_id: int, document_id: int):
    assembly = selectors.assembly_get_for_reading(user=request.user, assembly_id=assembly_id)
    document = assembly.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    return FileResponse(document.file.open("rb"), content_type="application/pdf")


@login_required
@require_POST
def freeze_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    try:
        count = services.electorate_freeze(actor=request.user, assembly=assembly)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The list of voters is frozen: %(n)s voters.") % {"n": count})
    return _back(assembly)


def _voters(request, assembly):
    voters = assembly.voters.select_related("section", "membership__person")
    section = request.GET.get("section", "")
    if section.isdigit():
        voters = voters.filter(section_id=section)
    return voters.order_by("section__name", "name", "number")


# WeasyPrint lays out about ten A4 pages a second on an old laptop: letters come in
# files of LETTERS_PER_FILE, per section, so each download stays within seconds.
LETTERS_PER_FILE = 100
VOTERS_PER_PAGE = 500


@login_required
def electorate_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    voters = _voters(request, assembly).select_related("attendance", "proxy_given__holder")
    page = paginate(request, voters, VOTERS_PER_PAGE)
    return render(
        request,
        "governance/electorate.html",
        {
            "assembly": assembly,
            "page": page,
            "offset": page.start_index() - 1 if page.paginator.count else 0,
            "sections": assembly.organisation.children.all(),
        },
    )


def letter_files(assembly) -> list[dict]:
    """Per section: how many voters and the letter files (parts) to download."""
    rows = (
        assembly.voters.values("section_id", "section__name")
        .annotate(n=Count("id"))
        .order_by("section__name")
    )
    return [
        {
            "section_id": r["section_id"],
            "name": r["section__name"],
            "count": r["n"],
            "parts": range(1, (r["n"] - 1) // LETTERS_PER_FILE + 2),
        }
        for r in rows
    ]


@login_required
def letters_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    require(request.user, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    try:
        part = max(1, int(request.GET.get("part", "1")))
    except ValueError:
        part = 1
    voters = _voters(request, assembly)[(part - 1) * LETTERS_PER_FILE : part * LETTERS_PER_FILE]
    response = HttpResponse(pdf.letters_pdf(assembly, voters), content_type="application/pdf")
    section = request.GET.get("section", "all")
    response["Content-Disposition"] = (
        f'attachment; filename="convocations-{assembly.pk}-{section}-{part}.pdf"'
    )
    return response


@login_required
def sms_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    require(request.user, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    body = pdf.sms_csv(assembly, _voters(request, assembly))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sms-{assembly.pk}.csv"'
    return response


@login_required
def checkin_view(request, assembly_id: int):
    """The check-in desk: card number typed or scanned, proxies, live quorum."""
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = CheckInForm(prefix="c")
    proxy_form = ProxyForm(prefix="p")
    if request.method == "POST" and "p-giver" in request.POST:
        proxy_form = ProxyForm(request.POST, prefix="p")
        if proxy_form.is_valid():
            try:
                proxy = services.proxy_record(
                    actor=request.user,
                    assembly=assembly,
                    giver_number=proxy_form.cleaned_data["giver"],
                    holder_number=proxy_form.cleaned_data["holder"],
                )
            except DomainError as exc:
                _errors(proxy_form, exc)
            else:
                messages.success(
                    request,
                    _("Proxy recorded: %(giver)s is represented by %(holder)s.")
                    % {"giver": proxy.giver.name, "holder": proxy.holder.name},
                )
                return redirect("governance:checkin", assembly_id=assembly.pk)
    elif request.method == "POST":
        form = CheckInForm(request.POST, prefix="c")
        if form.is_valid():
            try:
                attendance = services.check_in(
                    actor=request.user, assembly=assembly, number=form.cleaned_data["number"]
                )
            except DomainError as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s (%(number)s) is checked in.")
                    % {"name": attendance.voter.name, "number": attendance.voter.number},
                )
                return redirect("governance:checkin", assembly_id=assembly.pk)
    recent = assembly.attendances.select_related("voter")[:10]
    return render(
        request,
        "governance/checkin.html",
        _assembly_context(request, assembly, form=form, proxy_form=proxy_form, recent=recent),
    )


@login_required
def screen_view(request, assembly_id: int):
    """Live attendance and quorum for the chair; refreshes itself every 10 s (no JS)."""
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    return render(request, "governance/screen.html", _assembly_context(request, assembly))


@login_required
@require_POST
def second_call_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    try:
        services.second_call(actor=request.user, assembly=assembly)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Second call: the quorum of the second call applies."))
    return redirect("governance:checkin", assembly_id=assembly.pk)


@login_required
@require_POST
def resolution_add_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = ResolutionForm(request.POST, prefix="r")
    if form.is_valid():
        try:
            resolution = services.resolution_add(
                actor=request.user, assembly=assembly, **form.cleaned_data
            )
        except DomainError as exc:
            flash_error(request, exc)
        else:
            return redirect("governance:resolution", resolution_id=resolution.pk)
    else:
        messages.error(request, _("Give the resolution a title."))
    return _back(assembly)


@login_required
def resolution_view(request, resolution_id: int):
    resolution = selectors.resolution_get(user=request.user, resolution_id=resolution_id)
    assembly = resolution.assembly
    tally_form = TallyForm(prefix="t")
    roll_form = RollCallForm(prefix="r")
    if request.method == "POST":
        try:
            if "t-votes_for" in request.POST:
                tally_form = TallyForm(request.POST, prefix="t")
                if tally_form.is_valid():
                    d = tally_form.cleaned_data
                    services.resolution_record(
                        actor=request.user,
                        resolution=resolution,
                        votes_for=d["votes_for"],
                        against=d["against"],
                        abstain=d["abstain"],
                    )
                    return redirect("governance:resolution", resolution_id=resolution.pk)
            elif "r-number" in request.POST:
                roll_form = RollCallForm(request.POST, prefix="r")
                if roll_form.is_valid():
                    services.roll_call_vote(
                        actor=request.user, resolution=resolution, **roll_form.cleaned_data
                    )
                    messages.success(request, _("The vote was recorded."))
                    return redirect("governance:resolution", resolution_id=resolution.pk)
            elif "close" in request.POST:
                services.roll_call_close(actor=request.user, resolution=resolution)
                return redirect("governance:resolution", resolution_id=resolution.pk)
        except DomainError as exc:
            _errors(roll_form if "r-number" in request.POST else tally_form, exc)
    counts = {c: resolution.roll_call.filter(choice=c).count() for c in Choice.values}
    return render(
        request,
        "governance/resolution.html",
        _assembly_context(
            request,
            assembly,
            resolution=resolution,
            tally_form=tally_form,
            roll_form=roll_form,
            roll_counts=counts,
            is_roll_call=resolution.mode == VoteMode.ROLL_CALL,
        ),
    )


@login_required
@require_POST
def election_open_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = ElectionForm(request.POST, positions=assembly.organisation.positions.all(), prefix="e")
    if form.is_valid():
        try:
            position = selectors.position_get(
                user=request.user, position_id=form.cleaned_data["position"]
            )
            election = services.election_open(
                actor=request.user,
                assembly=assembly,
                position=position,
                seats=form.cleaned_data["seats"],
            )
        except DomainError as exc:
            flash_error(request, exc)
        else:
            return redirect("governance:election", election_id=election.pk)
    else:
        messages.error(request, _("Choose a position."))
    return _back(assembly)


@login_required
def election_view(request, election_id: int):
    election = selectors.election_get(user=request.user, election_id=election_id)
    assembly = election.assembly
    candidates = list(election.candidates.select_related("membership__person"))
    candidate_form = CandidateForm(prefix="c")
    tally_form = StationTallyForm(prefix="t", candidates=candidates)
    if request.method == "POST":
        try:
            if "c-number" in request.POST:
                candidate_form = CandidateForm(request.POST, prefix="c")
                if candidate_form.is_valid():
                    services.candidate_add(
                        actor=request.user,
                        election=election,
                        number=candidate_form.cleaned_data["number"],
                    )
                    return redirect("governance:election", election_id=election.pk)
            elif "t-station" in request.POST:
                tally_form = StationTallyForm(request.POST, prefix="t", candidates=candidates)
                if tally_form.is_valid():
                    services.station_tally_record(
                        actor=request.user,
                        election=election,
                        station=tally_form.cleaned_data["station"],
                        ballots=tally_form.cleaned_data["ballots"],
                        blank_or_spoilt=tally_form.cleaned_data["blank_or_spoilt"],
                        votes=tally_form.votes(),
                    )
                    messages.success(request, _("The count of the polling station was recorded."))
                    return redirect("governance:election", election_id=election.pk)
            elif "decide" in request.POST:
                services.election_decide(actor=request.user, election=election)
                return redirect("governance:election", election_id=election.pk)
        except DomainError as exc:
            _errors(candidate_form if "c-number" in request.POST else tally_form, exc)
    return render(
        request,
        "governance/election.html",
        _assembly_context(
            request,
            assembly,
            election=election,
            candidates=selectors.election_results(election),
            tallies=election.tallies.prefetch_related("votes"),
            candidate_form=candidate_form,
            tally_form=tally_form,
            is_counting=election.status == ElectionStatus.OPEN,
        ),
    )


@login_required
@require_POST
def close_view(request, assembly_id: int):
    assembly = selectors.assembly_get(user=request.user, assembly_id=assembly_id)
    form = CloseForm(request.POST, prefix="x")
    if form.is_valid():
        try:
            services.assembly_close(actor=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request, _("The General Assembly is closed. The minutes are ready to sign.")
            )
    else:
        messages.error(request, _("Name the chair and the secretary of the session."))
    return _back(assembly)


@login_required
def minutes_view(request, assembly_id: int):
    assembly = selectors.assembly_get_for_reading(user=request.user, assembly_id=assembly_id)
    if assembly.status != AssemblyStatus.CLOSED and not has_perm(
        request.user, Perm.GOVERNANCE_VIEW, on=assembly.organisation
    ):
        raise NotFound()  # members read the signed minutes, not drafts
    response = HttpResponse(pdf.minutes_pdf(assembly), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="pv-ag-{assembly.held_on:%Y-%m-%d}.pdf"'
    )
    return response


# --- Officers, meetings, decisions -------------------------------------------------------


def _membership_by_number(request, number: str) -> Membership:
    from mutualis.engine.governance import number_from_scan

    clean = number_from_scan(number)
    membership = (
        Membership.objects.filter(in_scope(request.user, "section"), number=clean)
        .select_related("person", "section", "mutual", "household")
        .first()
    )
    if membership is None:
        from .errors import UnknownMember

        raise UnknownMember(number=clean or "—", fields={"number": _("Unknown number.")})
    return membership


@login_required
def mandates_view(request):
    require(request.user, Perm.GOVERNANCE_VIEW)
    orgs = _mutuals(request)
    today = selectors.local_today(orgs[0]) if orgs else timezone.localdate()
    positions = [
        p
        for p in selectors.position_list(user=request.user)
        if has_perm(request.user, Perm.GOVERNANCE_MANAGE, on=p.organisation)
    ]
    form = MandateForm(request.POST or None, positions=positions)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            position = selectors.position_get(user=request.user, position_id=d["position"])
            membership = _membership_by_number(request, d["number"])
            services.mandate_create(
                actor=request.user,
                position=position,
                membership=membership,
                start_on=d["start_on"],
                end_on=d["end_on"],
            )
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The mandate was recorded."))
            return redirect("governance:mandates")
    mandates = selectors.mandate_list(user=request.user)
    show = request.GET.get("show", "current")
    if show == "current":
        mandates = selectors.mandates_in_office(mandates, on=today)
    return render(
        request,
        "governance/mandates.html",
        {
            "mandates": mandates,
            "ending": selectors.mandates_ending(user=request.user, on=today),
            "form": form if positions else None,
            "show": show,
            "today": today,
        },
    )


@login_required
def meetings_view(request):
    require(request.user, Perm.GOVERNANCE_VIEW)
    orgs = _managed(request, _mutuals(request))
    today = selectors.local_today(orgs[0]) if orgs else timezone.localdate()
    mandates = list(
        selectors.mandates_in_office(selectors.mandate_list(user=request.user), on=today)
    )
    form = MeetingForm(request.POST or None, organisations=orgs, mandates=mandates)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = selectors.organisation_get(user=request.user, organisation_id=d["organisation"])
            present = [m for m in mandates if str(m.pk) in d["present"]]
            services.board_meeting_record(
                actor=request.user,
                organisation=org,
                body=d["body"],
                held_on=d["held_on"],
                place=d["place"],
                agenda=d["agenda"],
                present=present,
                decisions=d["decisions"].splitlines(),
            )
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("governance:meetings")
    return render(
        request,
        "governance/meetings.html",
        {
            "page": paginate(request, selectors.board_meeting_list(user=request.user)),
            "form": form if orgs else None,
        },
    )


@login_required
def decisions_view(request):
    require(request.user, Perm.GOVERNANCE_VIEW)
    return render(
        request,
        "governance/decisions.html",
        {"rows": selectors.decision_register(user=request.user)},
    )


# --- Complaints ---------------------------------------------------------------------------


def _handling_sections(request):
    from mutualis.core.selectors import section_list

    return [
        s
        for s in section_list(user=request.user)
        if has_perm(request.user, Perm.COMPLAINT_HANDLE, on=s)
    ]


@login_required
def complaints_view(request):
    sections = _handling_sections(request)
    if not sections:
        require(request.user, Perm.GOVERNANCE_VIEW)
    today = selectors.local_today(sections[0]) if sections else timezone.localdate()
    form = ComplaintForm(request.POST or None, sections=sections, initial={"received_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            section = next((s for s in sections if str(s.pk) == d["section"]), None)
            if section is None:
                raise NotFound()
            membership = (
                _membership_by_number(request, d["number"]) if d["number"].strip() else None
            )
            complaint = services.complaint_submit(
                actor=request.user,
                section=section,
                kind=d["kind"],
                channel=ComplaintChannel.COUNTER,
                membership=membership,
                from_name=d["from_name"],
                subject=d["subject"],
                description=d["description"],
                received_on=d["received_on"],
            )
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The complaint was recorded."))
            return redirect("governance:complaint", complaint_id=complaint.pk)
    complaints = selectors.complaint_list(user=request.user)
    status = request.GET.get("status", "")
    if status:
        complaints = complaints.filter(status=status)
    return render(
        request,
        "governance/complaints.html",
        {
            "page": paginate(request, complaints),
            "form": form if sections else None,
            "stats": selectors.complaint_stats(
                selectors.complaint_list(user=request.user), on=today
            ),
            "status": status,
        },
    )


@login_required
def complaint_view(request, complaint_id: int):
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    can_handle = has_perm(request.user, Perm.COMPLAINT_HANDLE, on=complaint.section)
    today = selectors.local_today(complaint.section)
    from mutualis.core.models import RoleAssignment, User

    handlers = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(
            organisation__in=[int(p) for p in complaint.section.path.strip("/").split("/")],
            role__in=["clerk", "manager"],
        ).values("user_id")
    ).order_by("username")
    ack_form = AcknowledgeForm(prefix="a", users=handlers, initial={"on": today})
    answer_form = AnswerForm(prefix="r", initial={"on": today})
    if request.method == "POST":
        try:
            if "a-on" in request.POST:
                ack_form = AcknowledgeForm(request.POST, prefix="a", users=handlers)
                if ack_form.is_valid():
                    assignee = handlers.filter(pk=ack_form.cleaned_data["assignee"] or 0).first()
                    services.complaint_acknowledge(
                        actor=request.user,
                        complaint=complaint,
                        on=ack_form.cleaned_data["on"],
                        assignee=assignee,
                    )
                    return redirect("governance:complaint", complaint_id=complaint.pk)
            else:
                answer_form = AnswerForm(request.POST, prefix="r")
                if answer_form.is_valid():
                    services.complaint_answer(
                        actor=request.user, complaint=complaint, **answer_form.cleaned_data
                    )
                    return redirect("governance:complaint", complaint_id=complaint.pk)
        except DomainError as exc:
            _errors(ack_form if "a-on" in request.POST else answer_form, exc)
    return render(
        request,
        "governance/complaint.html",
        {
            "complaint": complaint,
            "can_handle": can_handle,
            "ack_form": ack_form,
            "answer_form": answer_form,
        },
    )


# --- A member's own page: GAs of their mutual, documents, minutes, complaints ----------


@login_required
def mine_view(request):
    memberships = list(selectors.member_memberships(user=request.user))
    if not memberships:
        raise NotFound()
    form = MemberComplaintForm(
        request.POST or None,
        memberships=memberships,
        initial={"membership": memberships[0].pk},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        membership = next(m for m in memberships if str(m.pk) == d["membership"])
        try:
            services.complaint_submit(
                actor=request.user,
                section=membership.section,
                membership=membership,
                kind=d["kind"],
                channel=ComplaintChannel.MEMBER_ACCOUNT,
                subject=d["subject"],
                description=d["description"],
                received_on=selectors.local_today(membership.section),
            )
        except DomainError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Thank you: your message was recorded."))
            return redirect("governance:mine")
    return render(
        request,
        "governance/mine.html",
        {
            "assemblies": selectors.member_assembly_list(user=request.user)[:10],
            "complaints": selectors.complaint_list(user=request.user).filter(
                membership__person__user_id=request.user.pk
            ),
            "form": form,
        },
    )


# --- Indicators ------------------------------------------------------------------------------


@login_required
def indicators_view(request):
    require(request.user, Perm.GOVERNANCE_VIEW)
    orgs = _mutuals(request)
    if not orgs:
        raise NotFound()
    org = next((o for o in orgs if str(o.pk) == request.GET.get("organisation")), orgs[0])
    today = selectors.local_today(org)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    figures = selectors.institutional_indicators(user=request.user, organisation=org, year=year)
    return render(
        request,
        "governance/indicators.html",
        {
            "orgs": orgs,
            "org": org,
            "year": year,
            "years": range(today.year, today.year - 6, -1),
            "f": figures,
        },
    )

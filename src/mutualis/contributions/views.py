"""Pages: counter, household account, receipts, statements, schedules, dues, daily run,
mobile-money imports and third-party payers. Parse → scoped selector → one service."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualis.core import documents
from mutualis.core.errors import DomainError, Forbidden, NotFound
from mutualis.core.models import User
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.web.util import form_errors_from, paginate

from . import selectors, services
from .dues import dues_generate
from .forms import (
    DailyForm,
    FieldPaymentForm,
    FindForm,
    GenerateForm,
    HandoverForm,
    MatchForm,
    MomoForm,
    PayerForm,
    PaymentForm,
    ReceiptBookForm,
    ReverseForm,
    ScheduleForm,
    SubsidyForm,
)
from .models import ImportStatus, MobileMoneyImport, MobileMoneyLine, Payer
from .services import PaymentInput
from .status import daily_run, mutual_today


def _chosen(request, options: list, key: str):
    """The organisation a page works on (?key=id) among `options`: none → 403, other → 404."""
    if not options:
        raise Forbidden()
    wanted = request.GET.get(key) or request.POST.get(key)
    for org in options:
        if str(org.pk) == wanted:
            return org, options
    if wanted:
        raise NotFound()
    return options[0], options


def _mutual(request, perm: Perm):
    """The mutual a mutual-wide page works on (?mutual=), among those the user may."""
    return _chosen(request, selectors.mutual_list(user=request.user, perm=perm), "mutual")


def pdf_response(html: str, filename: str) -> HttpResponse:
    return documents.pdf_response(documents.html_to_pdf(html), filename)


# --- Counter ------------------------------------------------------------------------


@login_required
def counter_view(request):
    require(request.user, Perm.PAYMENT_RECORD)
    form = FindForm(request.GET or None)
    if form.is_valid():
        household = selectors.household_find(user=request.user, number=form.cleaned_data["number"])
        if household is not None:
            return redirect("contributions:household", household.pk)
        form.add_error("number", _("No household with this number in your sections."))
    return render(request, "contributions/counter.html", {"form": form})


@login_required
def household_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    today = mutual_today(household.mutual)
    can_pay = has_perm(request.user, Perm.PAYMENT_RECORD, on=household.section)
    form = None
    if can_pay:
        form = PaymentForm(
            request.POST or None,
            initial={"value_date": today, "idempotency_key": uuid.uuid4().hex, "method": "cash"},
        )
        if request.method == "POST" and form.is_valid():
            chosen = tuple(int(x) for x in request.POST.getlist("dues") if x.isdigit()) or None
            try:
                payment = services.payment_record(
                    actor=request.user,
                    household=household,
                    data=PaymentInput(
                        amount=form.cleaned_data["amount"],
                        value_date=form.cleaned_data["value_date"],
                        method=form.cleaned_data["method"],
                        reference=form.cleaned_data["reference"],
                        dues=chosen,
                    ),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    refresh_on=today,
                )
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Payment recorded, receipt %(number)s.") % {"number": payment.receipt_number},
                )
                return redirect("contributions:payment", payment.pk)
    elif request.method == "POST":
        raise Forbidden()
    account = selectors.household_account(household=household, on=today)
    members = household.memberships.select_related("person").order_by("pk")
    return render(
        request,
        "contributions/household.html",
        {"household": household, "form": form, "members": members, "today": today, **account},
    )


@login_required
def payment_view(request, payment_id: int):
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    form = ReverseForm()
    return render(
        request,
        "contributions/payment.html",
        {
            "payment": payment,
            "allocations": payment.allocations.select_related("due").order_by("id"),
            "form": form,
            "can_reverse": has_perm(request.user, Perm.PAYMENT_RECORD, on=payment.section)
            and payment.method != "reversal"
            and not payment.is_reversed,
        },
    )


@login_required
@require_POST
def payment_reverse_view(request, payment_id: int):
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.payment_reverse(
                actor=request.user,
                payment=payment,
                reason=form.cleaned_data["reason"],
                on=mutual_today(payment.mutual),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The payment was reversed."))
    else:
        messages.error(request, _("Give the reason for the reversal."))
    return redirect("contributions:payment", payment.pk)


@login_required
def receipt_pdf_view(request, payment_id: int):
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    html = render_to_string(
        "contributions/receipt_pdf.html",
        {"payment": payment, "allocations": payment.allocations.select_related("due")},
        request=request,
    )
    return pdf_response(html, f"recu-{payment.receipt_number or payment.pk}.pdf")


@login_required
def statement_pdf_view(request, household_id: int):
    household = selectors.household_get(user=request.user, household_id=household_id)
    today = mutual_today(household.mutual)
    account = selectors.household_account(household=household, on=today)
    html = render_to_string(
        "contributions/statement_pdf.html",
        {"household": household, "today": today, **account},
        request=request,
    )
    return pdf_response(html, f"releve-{household.number}.pdf")


# --- Schedules ------------------------------------------------------------------------


def _schedule_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("rates", None)
    for key in ("amount", "registration_fee", "membership_fee", "renewal_discount"):
        if data.get(key) is None:
            data[key] = Decimal(0)
    return data


@login_required
def schedules_view(request):
    mutual, mutuals = _mutual(request, Perm.PACKAGE_MANAGE)
    form = ScheduleForm(request.POST or None)
    payer_form = PayerForm(prefix="payer")
    if request.method == "POST" and form.is_valid():
        try:
            rates = services.parse_rates(form.cleaned_data["rates"])
            schedule = services.schedule_save(
                actor=request.user, mutual=mutual, data=_schedule_data(form), rates=rates
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Schedule “%(name)s” saved.") % {"name": schedule.name})
            return redirect("contributions:schedule", schedule.pk)
    return render(
        request,
        "contributions/schedules.html",
        {
            "mutual": mutual,
            "mutuals": mutuals,
            "schedules": selectors.schedule_list(user=request.user, mutual=mutual),
            "payers": Payer.objects.filter(mutual=mutual),
            "form": form,
            "payer_form": payer_form,
        },
    )


@login_required
def schedule_view(request, schedule_id: int):
    schedule = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    require(request.user, Perm.PACKAGE_MANAGE, on=schedule.mutual)
    payers = Payer.objects.filter(mutual=schedule.mutual)
    initial = {f: getattr(schedule, f) for f in ScheduleForm.base_fields if f != "rates"}
    initial["rates"] = "\n".join(f"{r.key}={r.value.normalize():f}" for r in schedule.rates.all())
    form = ScheduleForm(request.POST or None, initial=initial)
    subsidy_form = SubsidyForm(prefix="s", payers=payers)
    if request.method == "POST" and form.is_valid():
        try:
            rates = services.parse_rates(form.cleaned_data["rates"])
            services.schedule_save(
                actor=request.user,
                mutual=schedule.mutual,
                schedule=schedule,
                data=_schedule_data(form),
                rates=rates,
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Schedule “%(name)s” saved.") % {"name": schedule.name})
            return redirect("contributions:schedule", schedule.pk)
    return render(
        request,
        "contributions/schedule.html",
        {"schedule": schedule, "form": form, "subsidy_form": subsidy_form},
    )


@login_required
@require_POST
def subsidy_add_view(request, schedule_id: int):
    schedule = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    require(request.user, Perm.PACKAGE_MANAGE, on=schedule.mutual)
    payers = Payer.objects.filter(mutual=schedule.mutual)
    form = SubsidyForm(request.POST, prefix="s", payers=payers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subsidy_add(
                actor=request.user,
                schedule=schedule,
                payer=payers.get(pk=data["payer"]),
                share=data["share"],
                fixed=data["fixed"],
                category=data["category"],
                under_age=data["under_age"],
                fees=data["fees"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Subsidy added."))
    else:
        messages.error(request, _("Some fields are not valid."))
    return redirect("contributions:schedule", schedule.pk)


@login_required
@require_POST
def payer_create_view(request):
    mutual, _mutuals = _mutual(request, Perm.PACKAGE_MANAGE)
    form = PayerForm(request.POST, prefix="payer")
    if form.is_valid():
        try:
            services.payer_create(actor=request.user, mutual=mutual, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Payer added."))
    return redirect("contributions:schedules")


# --- Dues and the daily run -------------------------------------------------------------


@login_required
def runs_view(request):
    mutual, mutuals = _mutual(request, Perm.PAYMENT_RECORD)
    can_daily = has_perm(request.user, Perm.ORG_MANAGE, on=mutual)
    today = mutual_today(mutual)
    generate = GenerateForm(
        request.POST if request.POST.get("action") == "generate" else None,
        initial={"period": f"{today:%Y-%m}"},
    )
    daily = DailyForm(
        request.POST if request.POST.get("action") == "daily" else None, initial={"date": today}
    )
    if (
        request.method == "POST"
        and request.POST.get("action") == "generate"
        and generate.is_valid()
    ):
        try:
            result = dues_generate(
                actor=request.user, mutual=mutual, period=generate.cleaned_data["period"]
            )
        except DomainError as exc:
            form_errors_from(generate, exc)
        else:
            messages.success(
                request,
                _("%(created)s dues created, %(skipped)s households already had theirs.")
                % {"created": result.created, "skipped": result.skipped},
            )
            return redirect("batch", result.batch_id)
    if request.method == "POST" and request.POST.get("action") == "daily" and daily.is_valid():
        if not can_daily:
            raise Forbidden()
        counts, batch_id = daily_run(
            actor=request.user, mutual=mutual, on=daily.cleaned_data["date"]
        )
        messages.success(
            request,
            _("Daily run done: %(m)s status changes, %(c)s cover changes, %(r)s renewals.")
            % {"m": counts.membership_changes, "c": counts.coverage_changes, "r": counts.renewals},
        )
        return redirect("batch", batch_id)
    return render(
        request,
        "contributions/runs.html",
        {
            "mutual": mutual,
            "mutuals": mutuals,
            "generate": generate,
            "daily": daily,
            "can_daily": can_daily,
        },
    )


# --- Mobile money -----------------------------------------------------------------------


@login_required
def momo_view(request):
    mutual, mutuals = _mutual(request, Perm.PAYMENT_RECORD)
    form = MomoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.momo_import(
                actor=request.user,
                mutual=mutual,
                operator=form.cleaned_data["operator"],
                file_name=upload.name,
                content=upload.read(),
                on=mutual_today(mutual),
                method=form.cleaned_data["method"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("%(a)s lines allocated, %(u)s to match, %(d)s already imported.")
                % {"a": result.allocated, "u": result.unmatched, "d": result.duplicates},
            )
            return redirect("contributions:momo_import", result.statement.pk)
    imports = MobileMoneyImport.objects.filter(mutual=mutual)[:20]
    return render(
        request,
        "contributions/momo.html",
        {"mutual": mutual, "mutuals": mutuals, "form": form, "imports": imports},
    )


@login_required
def momo_import_view(request, import_id: int):
    try:
        statement = MobileMoneyImport.objects.select_related("mutual").get(pk=import_id)
    except MobileMoneyImport.DoesNotExist:
        raise NotFound() from None
    require(request.user, Perm.PAYMENT_RECORD, on=statement.mutual)
    lines = statement.lines.select_related("household", "suggested_household").order_by(
        "status", "line_no"
    )
    show = request.GET.get("show", "unmatched")
    if show == "unmatched":
        lines = lines.filter(status=ImportStatus.UNMATCHED)
    return render(
        request,
        "contributions/momo_import.html",
        {
            "statement": statement,
            "page": paginate(request, lines, 50),
            "show": show,
            "match_form": MatchForm(),
        },
    )


@login_required
@require_POST
def momo_match_view(request, line_id: int):
    try:
        line = MobileMoneyLine.objects.select_related("mutual").get(pk=line_id)
    except MobileMoneyLine.DoesNotExist:
        raise NotFound() from None
    require(request.user, Perm.PAYMENT_RECORD, on=line.mutual)
    form = MatchForm(request.POST)
    household = (
        selectors.household_find(user=request.user, number=request.POST.get("number", ""))
        if form.is_valid()
        else None
    )
    if household is None:
        messages.error(request, _("No household with this number in your sections."))
    else:
        try:
            services.momo_line_match(
                actor=request.user, line=line, household=household, on=mutual_today(line.mutual)
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Line matched to household %(n)s.") % {"n": household.number}
            )
    return redirect("contributions:momo_import", line.statement_id)


# --- Third-party payers -------------------------------------------------------------------


@login_required
def payers_view(request):
    mutual, mutuals = _mutual(request, Perm.PAYMENT_VIEW)
    payers = Payer.objects.filter(mutual=mutual)
    rows = [selectors.payer_statement(payer=p) for p in payers]
    return render(
        request, "contributions/payers.html", {"mutual": mutual, "mutuals": mutuals, "rows": rows}
    )


@login_required
def payer_view(request, payer_id: int):
    try:
        payer = Payer.objects.select_related("mutual").get(pk=payer_id)
    except Payer.DoesNotExist:
        raise NotFound() from None
    require(request.user, Perm.PAYMENT_VIEW, on=payer.mutual)
    statement = selectors.payer_statement(payer=payer)
    if request.GET.get("format") == "csv":
        import csv

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="etat-{payer.code}.csv"'
        writer = csv.writer(response)
        writer.writerow(["household", "kind", "period_start", "period_end", "amount", "paid"])
        for due in statement["lines"].iterator():
            writer.writerow(
                [
                    due.household.number,
                    due.kind,
                    due.period_start,
                    due.period_end,
                    due.amount,
                    due.paid,
                ]
            )
        return response
    return render(
        request,
        "contributions/payer.html",
        {**statement, "page": paginate(request, statement["lines"], 50)},
    )


# --- Field collectors: receipt books, field payments, cash handover ----------------------


def _section(request, perm: Perm):
    """The section a section page works on (?section=), among those the user may."""
    return _chosen(request, selectors.section_list(user=request.user, perm=perm), "section")


@login_required
def receipt_books_view(request):
    section, sections = _section(request, Perm.PAYMENT_RECORD)
    collectors = selectors.section_collectors(section=section)
    form = ReceiptBookForm(
        request.POST or None,
        collectors=collectors,
        initial={"issued_on": mutual_today(section.parent), "commission_rate": 0},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            book = services.receipt_book_issue(
                actor=request.user,
                section=section,
                collector=collectors.filter(pk=data["collector"]).first(),
                first_number=data["first_number"],
                last_number=data["last_number"],
                issued_on=data["issued_on"],
                commission_rate=data["commission_rate"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Receipt book %(first)s–%(last)s issued to %(name)s.")
                % {"first": book.first_number, "last": book.last_number, "name": book.collector},
            )
            return redirect(f"{request.path}?section={section.pk}")
    return render(
        request,
        "contributions/receipt_books.html",
        {
            "section": section,
            "sections": sections,
            "books": selectors.receipt_books(section=section),
            "form": form,
        },
    )


@login_required
def field_payment_view(request):
    require(request.user, Perm.PAYMENT_RECORD)
    today = timezone.localdate()
    form = FieldPaymentForm(request.POST or None, initial={"value_date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = selectors.household_find(user=request.user, number=data["number"])
        if household is None:
            form.add_error("number", _("No household with this number in your sections."))
        else:
            try:
                payment = services.field_payment_record(
                    actor=request.user,
                    household=household,
                    collector=request.user,
                    book_number=data["book_number"],
                    amount=data["amount"],
                    value_date=data["value_date"],
                    today=mutual_today(household.mutual),
                )
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Payment recorded on receipt %(number)s of your book.")
                    % {"number": data["book_number"]},
                )
                return redirect("contributions:payment", payment.pk)
    books = request.user.receipt_books.select_related("section").order_by("-issued_on")[:10]
    return render(request, "contributions/field_payment.html", {"form": form, "books": books})


@login_required
def handover_view(request):
    section, sections = _section(request, Perm.PAYMENT_RECORD)
    forms_by_collector = {}
    if request.method == "POST":
        form = HandoverForm(request.POST)
        collector = None
        if form.is_valid():
            # A holder of a book of the section, even if no longer one of its users.
            collector = (
                User.objects.filter(
                    pk=form.cleaned_data["collector"], receipt_books__section=section
                )
                .distinct()
                .first()
            )
            if collector is None:
                raise NotFound()
            try:
                handover = services.cash_handover(
                    actor=request.user,
                    section=section,
                    collector=collector,
                    counted=form.cleaned_data["counted"],
                    on=mutual_today(section.parent),
                )
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Handover %(number)s recorded.") % {"number": handover.receipt_number},
                )
                return redirect("contributions:handover_detail", handover.pk)
        if collector is not None:
            forms_by_collector[collector.pk] = form
    rows = selectors.collector_pending(section=section)
    for row in rows:
        pk = row["collector"].pk
        row["form"] = forms_by_collector.get(pk) or HandoverForm(
            initial={"collector": pk, "counted": row["expected"]}, auto_id=f"id_%s_{pk}"
        )
    return render(
        request,
        "contributions/handover.html",
        {
            "section": section,
            "sections": sections,
            "rows": rows,
            "handovers": selectors.handover_list(section=section)[:20],
        },
    )


@login_required
def handover_detail_view(request, handover_id: int):
    handover = selectors.handover_get(user=request.user, handover_id=handover_id)
    return render(
        request,
        "contributions/handover_detail.html",
        {"handover": handover, "payments": handover.payments.select_related("household")},
    )


@login_required
def handover_pdf_view(request, handover_id: int):
    handover = selectors.handover_get(user=request.user, handover_id=handover_id)
    pdf = documents.render_pdf(
        "contributions/handover_pdf.html",
        {"handover": handover, "payments": handover.payments.select_related("household")},
        request=request,
    )
    return documents.pdf_response(pdf, f"remise-{handover.receipt_number}.pdf")

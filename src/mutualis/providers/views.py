"""Provider pages: list, one provider with its agreements, one agreement with its tariffs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mutualis.core.errors import DomainError
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.core.selectors import organisation_list
from mutualis.web.util import form_errors_from, paginate

from . import selectors, services
from .forms import AgreementForm, AgreementTermsForm, ProviderForm, TariffImportForm


@login_required
def provider_list_view(request):
    require(request.user, Perm.PROVIDER_VIEW)
    providers = selectors.provider_list(user=request.user, perm=Perm.PROVIDER_VIEW)
    can_manage = has_perm(request.user, Perm.PROVIDER_MANAGE)
    form = ProviderForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        orgs = [
            o
            for o in organisation_list(user=request.user)
            if o.kind != "section" and has_perm(request.user, Perm.PROVIDER_MANAGE, on=o)
        ]
        try:
            if not orgs:
                raise services.ValidationFailed()
            provider = services.provider_create(
                actor=request.user, organisation=orgs[-1], **form.cleaned_data
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("providers:detail", provider_id=provider.pk)
    return render(
        request,
        "providers/list.html",
        {"page": paginate(request, providers, 50), "form": form},
    )


@login_required
def provider_detail_view(request, provider_id: int):
    provider = selectors.provider_get(user=request.user, provider_id=provider_id)
    require(request.user, Perm.PROVIDER_VIEW, on=provider.organisation)
    can_manage = has_perm(request.user, Perm.PROVIDER_MANAGE, on=provider.organisation)
    form = AgreementForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user, provider=provider, **form.cleaned_data
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("providers:agreement", agreement_id=agreement.pk)
    return render(
        request,
        "providers/detail.html",
        {
            "provider": provider,
            "agreements": provider.agreements.all(),
            "agents": provider.agents.select_related("user"),
            "form": form,
        },
    )


@login_required
def agreement_view(request, agreement_id: int):
    agreement = selectors.agreement_get(user=request.user, agreement_id=agreement_id)
    provider = agreement.provider
    require(request.user, Perm.PROVIDER_VIEW, on=provider.organisation)
    can_manage = has_perm(request.user, Perm.PROVIDER_MANAGE, on=provider.organisation)
    editing = request.method == "POST" and "terms" in request.POST
    terms = None
    if can_manage:
        terms = AgreementTermsForm(
            request.POST if editing else None,
            initial={f: getattr(agreement, f) for f in AgreementTermsForm.base_fields},
        )
    if editing and terms is not None and terms.is_valid():
        try:
            services.agreement_update(actor=request.user, agreement=agreement, **terms.cleaned_data)
        except DomainError as exc:
            form_errors_from(terms, exc)
        else:
            messages.success(request, _("The agreement's terms are saved."))
            return redirect("providers:agreement", agreement_id=agreement.pk)
    elif editing:
        require(request.user, Perm.PROVIDER_MANAGE, on=provider.organisation)
    form = None
    if can_manage:
        form = TariffImportForm(
            None if editing else request.POST or None, None if editing else request.FILES or None
        )
    if form is not None and request.method == "POST" and not editing and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.tariffs_import(
                actor=request.user,
                agreement=agreement,
                content=upload.read(),
                filename=upload.name,
            )
        except DomainError as exc:
            form_errors_from(form, exc)
            errors = exc.fields
        else:
            messages.success(request, _("%(n)s tariffs imported.") % {"n": report.imported})
            return redirect("providers:agreement", agreement_id=agreement.pk)
    else:
        errors = {}
    return render(
        request,
        "providers/agreement.html",
        {
            "agreement": agreement,
            "provider": provider,
            "tariffs": paginate(request, agreement.tariffs.all(), 100),
            "form": form,
            "terms": terms,
            "errors": errors,
            "currency": provider.organisation.currency,
        },
    )

"""Benefits pages: the facility eligibility check, packages (readable by a board
member, with a PDF for members), the catalogue and its import.

Views parse, fetch through scoped selectors, call one service, render.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mutualis.core.errors import DomainError, Forbidden
from mutualis.core.roles import Perm
from mutualis.core.scope import grants, has_perm, require
from mutualis.web.util import flash_error, form_errors_from, paginate

from . import selectors, services
from .presenters import answer_dict


def _today(user) -> date:
    """Today in the time zone of the user's first organisation (the mutual's today)."""
    import zoneinfo

    from mutualis.core.models import Organisation

    g = next(iter(grants(user)), None)
    if g is not None:
        tz = Organisation.objects.filter(pk=g.organisation_id).values_list("time_zone", flat=True)
        for name in tz:
            try:
                return timezone.localdate(timezone=zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                break
    return timezone.localdate()


class EligibilityForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Card number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    on = forms.DateField(
        label=gettext_lazy("Date of care"), widget=forms.DateInput(attrs={"type": "date"})
    )
    item = forms.CharField(
        label=gettext_lazy("Service code (optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "catalogue-codes", "autocomplete": "off"}),
    )
    referral = forms.BooleanField(label=gettext_lazy("Referral presented"), required=False)


@login_required
def eligibility_view(request):
    """Facility agent (or clerk): type or scan a card number, see cover and reasons."""
    if not has_perm(request.user, Perm.ELIGIBILITY_CHECK):
        raise Forbidden()
    data = request.GET.copy() if "number" in request.GET else None
    if data is not None and not data.get("on"):
        data["on"] = _today(request.user).isoformat()
    form = EligibilityForm(data, initial={"on": _today(request.user)})
    result = household = None
    if data is not None and form.is_valid():
        try:
            answer = services.eligibility_check(
                actor=request.user,
                number=form.cleaned_data["number"],
                on=form.cleaned_data["on"],
                item_code=form.cleaned_data["item"].strip() or None,
                referral=form.cleaned_data["referral"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            result = answer_dict(answer, user=request.user)
            result["currency"] = answer.currency
            result["item_name"] = answer.item.name if answer.item else None
            result["photo"] = result["beneficiary"]["photo_url"]
            household = answer.membership.household.memberships.select_related("person").order_by(
                "number"
            )
    codes = (
        selectors.item_list(user=request.user)
        .filter(is_active=True)
        .values_list("code", "name")[:500]
    )
    return render(
        request,
        "benefits/eligibility.html",
        {"form": form, "result": result, "household": household, "codes": codes},
    )


@login_required
def package_list_view(request):
    require(request.user, Perm.PACKAGE_VIEW)
    packages = selectors.package_list(user=request.user).prefetch_related("versions")
    can_manage = selectors.visible_mutual_ids(request.user, Perm.PACKAGE_MANAGE) != []
    return render(
        request, "benefits/packages.html", {"packages": packages, "can_manage": can_manage}
    )


def _package_context(request, package_id: int):
    package = selectors.package_get(user=request.user, package_id=package_id)
    on = _today(request.user)
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"])
        except ValueError:
            pass
    versions = list(package.versions.order_by("effective_from"))
    version = None
    if request.GET.get("version"):
        version = next((v for v in versions if str(v.pk) == request.GET["version"]), None)
    if version is None:
        version = selectors.version_in_force(package=package, on=on)
    if version is None and versions:
        version = versions[-1]
    rules = selectors.version_rules(version) if version else []
    package_limits = list(version.limits.filter(rule__isnull=True)) if version else []
    from .describe import limit_text, rule_rows

    cur = package.mutual.currency
    return {
        "rows": rule_rows(rules, cur),
        "package_limit_texts": [limit_text(lim, cur) for lim in package_limits],
        "package": package,
        "version": version,
        "versions": versions,
        "rules": rules,
        "package_limits": package_limits,
        "on": on,
        "currency": package.mutual.currency,
        "can_manage": has_perm(request.user, Perm.PACKAGE_MANAGE, on=package.mutual),
    }


@login_required
def package_view(request, package_id: int):
    require(request.user, Perm.PACKAGE_VIEW)
    return render(request, "benefits/package.html", _package_context(request, package_id))


@login_required
def package_pdf_view(request, package_id: int):
    from .pdf import package_pdf

    require(request.user, Perm.PACKAGE_VIEW)
    context = _package_context(request, package_id)
    pdf = package_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{context['package'].code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def version_publish_view(request, version_id: int):
    version = selectors.version_get(user=request.user, version_id=version_id)
    try:
        services.version_publish(actor=request.user, version=version, today=_today(request.user))
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Version published."))
    return redirect(f"/benefits/packages/{version.package_id}/?version={version.pk}")


@login_required
@require_POST
def version_new_view(request, package_id: int):
    package = selectors.package_get(user=request.user, package_id=package_id)
    try:
        effective = date.fromisoformat(request.POST.get("effective_from", ""))
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return redirect("benefits:package", package_id=package.pk)
    try:
        version = services.version_create(
            actor=request.user,
            package=package,
            effective_from=effective,
            today=_today(request.user),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, " ".join([str(exc), *map(str, exc.fields.values())]))
        return redirect("benefits:package", package_id=package.pk)
    messages.success(request, _("Draft version created; edit its rules, then publish it."))
    return redirect(f"/benefits/packages/{package.pk}/?version={version.pk}")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Columns: code, name, category, reference_price; optional: kind, care_type, currency."
        ),
    )


@login_required
def catalogue_view(request):
    require(request.user, Perm.PACKAGE_VIEW)
    items = selectors.item_list(user=request.user).order_by("category__position", "code")
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(name__icontains=q) | items.filter(code__icontains=q)
    mutual_ids = selectors.visible_mutual_ids(request.user, Perm.PACKAGE_MANAGE)
    can_import = mutual_ids is None or bool(mutual_ids)
    form = ImportForm()
    bad_rows = None
    if request.method == "POST":
        from mutualis.core.models import Organisation, OrgKind

        form = ImportForm(request.POST, request.FILES)
        mutuals = Organisation.objects.filter(kind=OrgKind.MUTUAL)
        if mutual_ids is not None:
            mutuals = mutuals.filter(pk__in=mutual_ids)
        mutual = mutuals.order_by("pk").first()
        if mutual is None:
            raise Forbidden()
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.catalogue_import(
                    actor=request.user, mutual=mutual, file_name=upload.name, content=upload.read()
                )
            except DomainError as exc:
                form_errors_from(form, exc)
                bad_rows = getattr(exc, "rows", None)
            else:
                messages.success(
                    request,
                    _("{created} items added, {updated} updated.").format(
                        created=report.created, updated=report.updated
                    ),
                )
                return redirect("benefits:catalogue")
    return render(
        request,
        "benefits/catalogue.html",
        {
            "page": paginate(request, items, 50),
            "form": form,
            "can_import": can_import,
            "bad_rows": bad_rows,
            "q": q,
        },
    )


# --- Package rules (manager) ---------------------------------------------------------


@login_required
def package_new_view(request):
    from mutualis.core.models import Organisation

    from .forms import PackageForm

    ids = selectors.visible_mutual_ids(request.user, Perm.PACKAGE_MANAGE)
    mutuals = Organisation.objects.filter(kind="mutual").order_by("name")
    if ids is not None:
        mutuals = mutuals.filter(pk__in=ids)
    mutuals = list(mutuals)
    if not mutuals:
        raise Forbidden()
    form = PackageForm(request.POST or None, mutuals=mutuals)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        mutual = next(m for m in mutuals if str(m.pk) == data.pop("mutual"))
        try:
            package = services.package_create(actor=request.user, mutual=mutual, **data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request, _("Package created: now create its first version with its date.")
            )
            return redirect("benefits:package", package_id=package.pk)
    return render(request, "benefits/package_new.html", {"form": form})


def _managed_version(request, version_id: int):
    """A version the user manages: outside scope 404, without the right 403."""
    version = selectors.version_get(user=request.user, version_id=version_id)
    require(request.user, Perm.PACKAGE_MANAGE, on=version.package.mutual)
    return version


def _refused_or_on_form(request, form, exc: DomainError) -> bool:
    """A published version is refused with a message (True: redirect); else on the form."""
    if isinstance(exc, services.VersionPublished):
        flash_error(request, exc)
        return True
    form_errors_from(form, exc)
    return False


def _item_of(form, mutual):
    from .models import CatalogueItem

    code = (form.cleaned_data.get("item") or "").strip()
    if not code:
        return None
    item = CatalogueItem.objects.filter(mutual=mutual, code__iexact=code).first()
    if item is None:
        form.add_error("item", _("No item with this code in the catalogue."))
    return item


def _limit_values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if v is not None}


@login_required
def version_edit_view(request, version_id: int):
    from .describe import limit_text, rule_rows
    from .forms import LimitForm, RuleForm, VersionForm
    from .models import ServiceCategory

    version = _managed_version(request, version_id)
    package, mutual = version.package, version.package.mutual
    action = request.POST.get("action") if request.method == "POST" else None
    categories = ServiceCategory.objects.filter(mutual=mutual)
    version_form = VersionForm(
        request.POST if action == "version" else None,
        initial={f: getattr(version, f) for f in services.VERSION_FIELDS},
        prefix="v",
    )
    rule_form = RuleForm(
        request.POST if action == "rule" else None, categories=categories, prefix="r"
    )
    limit_form = LimitForm(request.POST if action == "limit" else None, prefix="l")
    here = redirect("benefits:version_edit", version_id=version.pk)
    try:
        if action == "version" and version_form.is_valid():
            services.version_update(
                actor=request.user, version=version, **version_form.cleaned_data
            )
            messages.success(request, _("Version saved."))
            return here
        if action == "rule" and rule_form.is_valid():
            item = _item_of(rule_form, mutual)
            if not rule_form.errors:
                category = categories.get(pk=rule_form.cleaned_data["category"])
                rule = services.rule_set(
                    actor=request.user,
                    version=version,
                    category=category,
                    item=item,
                    **rule_form.rule_values(),
                )
                messages.success(request, _("Rule saved."))
                return redirect("benefits:rule_edit", rule_id=rule.pk)
        if action == "limit" and limit_form.is_valid():
            services.limit_add(actor=request.user, version=version, **_limit_values(limit_form))
            messages.success(request, _("Limit added."))
            return here
    except DomainError as exc:
        form = {"version": version_form, "rule": rule_form, "limit": limit_form}[action]
        if _refused_or_on_form(request, form, exc):
            return here
    rules = selectors.version_rules(version)
    cur = mutual.currency
    return render(
        request,
        "benefits/version_edit.html",
        {
            "package": package,
            "version": version,
            "is_draft": version.status == "draft",
            "rules": list(zip(rules, rule_rows(rules, cur), strict=True)),
            "package_limits": [
                (lim, limit_text(lim, cur)) for lim in version.limits.filter(rule__isnull=True)
            ],
            "version_form": version_form,
            "rule_form": rule_form,
            "limit_form": limit_form,
            "codes": selectors.item_list(user=request.user)
            .filter(mutual=mutual, is_active=True)
            .values_list("code", "name")[:500],
        },
    )


def _managed_rule(request, rule_id: int):
    from .models import BenefitRule

    try:
        rule = BenefitRule.objects.select_related("category", "item").get(pk=rule_id)
    except (BenefitRule.DoesNotExist, ValueError):
        from mutualis.core.errors import NotFound

        raise NotFound() from None
    rule.version = _managed_version(request, rule.version_id)
    return rule


@login_required
def rule_edit_view(request, rule_id: int):
    from .describe import limit_text
    from .forms import LimitForm, RuleForm, rule_initial
    from .models import ServiceCategory

    rule = _managed_rule(request, rule_id)
    version = rule.version
    mutual = version.package.mutual
    action = request.POST.get("action") if request.method == "POST" else None
    rule_form = RuleForm(
        request.POST if action == "rule" else None,
        categories=ServiceCategory.objects.filter(pk=rule.category_id),
        editing=True,
        initial=rule_initial(rule),
        prefix="r",
    )
    limit_form = LimitForm(request.POST if action == "limit" else None, prefix="l")
    here = redirect("benefits:rule_edit", rule_id=rule.pk)
    try:
        if action == "rule" and rule_form.is_valid():
            services.rule_set(
                actor=request.user,
                version=version,
                category=rule.category,
                item=rule.item,
                **rule_form.rule_values(),
            )
            messages.success(request, _("Rule saved."))
            return here
        if action == "limit" and limit_form.is_valid():
            services.limit_add(
                actor=request.user, version=version, rule=rule, **_limit_values(limit_form)
            )
            messages.success(request, _("Limit added."))
            return here
    except DomainError as exc:
        form = rule_form if action == "rule" else limit_form
        if _refused_or_on_form(request, form, exc):
            return here
    cur = mutual.currency
    return render(
        request,
        "benefits/rule_edit.html",
        {
            "rule": rule,
            "version": version,
            "package": version.package,
            "is_draft": version.status == "draft",
            "rule_form": rule_form,
            "limit_form": limit_form,
            "limits": [(lim, limit_text(lim, cur)) for lim in rule.limits.all()],
        },
    )


@login_required
@require_POST
def rule_remove_view(request, rule_id: int):
    rule = _managed_rule(request, rule_id)
    try:
        services.rule_remove(actor=request.user, rule=rule)
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("benefits:rule_edit", rule_id=rule.pk)
    messages.success(request, _("Rule removed."))
    return redirect("benefits:version_edit", version_id=rule.version.pk)


@login_required
@require_POST
def limit_remove_view(request, limit_id: int):
    from mutualis.core.errors import NotFound

    from .models import Limit

    try:
        limit = Limit.objects.get(pk=limit_id)
    except (Limit.DoesNotExist, ValueError):
        raise NotFound() from None
    limit.version = _managed_version(request, limit.version_id)
    back = (
        redirect("benefits:rule_edit", rule_id=limit.rule_id)
        if limit.rule_id
        else redirect("benefits:version_edit", version_id=limit.version_id)
    )
    try:
        services.limit_remove(actor=request.user, limit=limit)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Limit removed."))
    return back

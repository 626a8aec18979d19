"""Administration screens to edit packages, draft versions and their rules.

A published version is read-only here as in the services: a change is a new
version (created from the package page), edited while it is a draft.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    BenefitRule,
    CatalogueItem,
    Limit,
    Package,
    PackageVersion,
    RuleCoverage,
    ServiceCategory,
    VersionStatus,
)


def _published(obj) -> bool:
    version = obj if isinstance(obj, PackageVersion) else getattr(obj, "version", None)
    return version is not None and version.status == VersionStatus.PUBLISHED


class DraftOnly:
    def has_change_permission(self, request, obj=None):
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _published(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and _published(obj):
            return False
        try:
            return super().has_add_permission(request, obj)
        except TypeError:
            return super().has_add_permission(request)


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "mutual", "is_active")
    list_filter = ("kind", "is_active")


class RuleInline(DraftOnly, admin.TabularInline):
    model = BenefitRule
    extra = 0
    fields = (
        "category",
        "item",
        "covered",
        "rate",
        "fixed_copay",
        "waiting_days",
        "referral_required",
        "authorisation_required",
        "applicable_sex",
        "min_age",
        "max_age",
        "care_type",
    )
    show_change_link = True


class PackageLimitInline(DraftOnly, admin.TabularInline):
    model = Limit
    extra = 0
    fields = ("kind", "scope", "amount", "window", "window_days", "care_type")
    verbose_name_plural = _("package-wide ceilings")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(rule__isnull=True)


@admin.register(PackageVersion)
class PackageVersionAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ("package", "effective_from", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "published_at")
    inlines = [RuleInline, PackageLimitInline]


class RuleCoverageInline(DraftOnly, admin.TabularInline):
    model = RuleCoverage
    extra = 0


class RuleLimitInline(DraftOnly, admin.TabularInline):
    model = Limit
    extra = 0
    fields = (
        "version",
        "kind",
        "scope",
        "amount",
        "max_count",
        "unit",
        "window",
        "window_days",
        "care_type",
    )


@admin.register(BenefitRule)
class BenefitRuleAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ("version", "category", "item", "covered", "rate", "fixed_copay")
    inlines = [RuleCoverageInline, RuleLimitInline]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "mutual", "position")


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "kind", "reference_price", "care_type")
    list_filter = ("kind", "care_type", "category__code")
    search_fields = ("code", "name")

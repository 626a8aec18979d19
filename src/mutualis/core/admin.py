"""Django admin: configuration for the system administrator (superuser).

Day-to-day work goes through the scoped pages; the admin is not scoped, so only
superusers get `is_staff`. Audit records are read-only here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, AuditEvent, BatchLog, Organisation, RoleAssignment, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "parent", "currency", "country", "is_active"]
    list_filter = ["kind", "is_active", "currency"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = [*BaseUserAdmin.fieldsets, (None, {"fields": ["language", "phone"]})]
    list_display = ["username", "first_name", "last_name", "language", "is_active"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are created on the account page, shown once


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "organisation"]
    list_filter = ["action"]


@admin.register(BatchLog)
class BatchLogAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "actor", "status", "rows_done", "rows_total"]
    list_filter = ["kind", "status"]

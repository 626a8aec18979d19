"""Admin: schedules are checked by the same rules as the service (solidarity)."""

from django import forms
from django.contrib import admin

from mutualis.core.errors import DomainError

from .models import Due, Payer, Payment, Schedule, ScheduleRate, Subsidy
from .services import schedule_check


class ScheduleAdminForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = [f.name for f in Schedule._meta.fields if f.editable and not f.auto_created]

    def clean(self):
        data = super().clean()
        candidate = Schedule(
            **{k: v for k, v in data.items() if k in {f.name for f in Schedule._meta.fields}}
        )
        candidate.pk = self.instance.pk
        rates = [(r.key, r.value) for r in self.instance.rates.all()] if self.instance.pk else []
        try:
            schedule_check(candidate, rates)
        except DomainError as exc:
            for field, message in exc.fields.items():
                if field in self.fields:
                    self.add_error(field, str(message))
            raise forms.ValidationError(str(exc)) from None
        return data


class RateInline(admin.TabularInline):
    model = ScheduleRate
    extra = 0


class SubsidyInline(admin.TabularInline):
    model = Subsidy
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ("name", "mutual", "kind", "period", "amount", "is_active")
    inlines = [RateInline, SubsidyInline]


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "mutual")


@admin.register(Due)
class DueAdmin(admin.ModelAdmin):
    list_display = ("household", "kind", "period_start", "amount", "paid", "payer")
    raw_id_fields = ("household",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("receipt_number", "household", "method", "amount", "value_date")
    raw_id_fields = ("household",)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from fastdso.admin_base import AuditedModelAdmin
from forecast.models import ForecastLine, ForecastRun


@admin.register(ForecastRun)
class ForecastRunAdmin(AuditedModelAdmin):
    list_display = ("id", "created_at", "user", "scope", "category", "weeks", "coverage_weeks", "as_of_week")
    list_filter = ("scope", "created_at")
    search_fields = ("category", "input_name", "user__username")
    readonly_fields = ("job", "user", "backtest")
    list_select_related = ("user",)


@admin.register(ForecastLine)
class ForecastLineAdmin(AuditedModelAdmin):
    list_display = ("run", "sku", "product_name", "source", "avg_weekly", "purchase_qty")
    list_filter = ("source",)
    search_fields = ("sku", "product_name")
    raw_id_fields = ("run", "product")
    list_select_related = ("run",)

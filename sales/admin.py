from django.contrib import admin

from fastdso.admin_base import AuditedModelAdmin
from sales.models import DistributionRecord, SalesLoad, SalesWeeklyAgg


@admin.register(SalesWeeklyAgg)
class SalesWeeklyAggAdmin(AuditedModelAdmin):
    list_display = ("product", "store", "week_start", "units", "category")
    search_fields = ("product__sku", "store__name", "category")
    list_filter = ("week_start", "category")
    list_select_related = ("product", "store")
    raw_id_fields = ("product", "store")
    show_full_result_count = False


@admin.register(SalesLoad)
class SalesLoadAdmin(AuditedModelAdmin):
    list_display = ("created_at", "file_name", "mode", "first_date", "last_date", "rows_read", "rows_written", "user")
    list_filter = ("mode",)
    search_fields = ("file_name",)


@admin.register(DistributionRecord)
class DistributionRecordAdmin(AuditedModelAdmin):
    list_display = ("product", "store", "sale_date", "units")
    search_fields = ("product__sku", "store__name")
    list_filter = ("sale_date",)
    list_select_related = ("product", "store")
    raw_id_fields = ("product", "store", "job")
    show_full_result_count = False

from django.contrib import admin

from distribution.models import DistributionLine, DistributionRun
from fastdso.admin_base import AuditedModelAdmin, LifecycleModelAdmin


@admin.register(DistributionRun)
class DistributionRunAdmin(LifecycleModelAdmin):
    list_display = (
        "run_id",
        "status",
        "state",
        "model_name",
        "as_of_week",
        "scope_sku_count",
        "line_count",
        "total_suggested",
        "total_allocated",
        "user",
        "created_at",
    )
    list_filter = ("status", "state", "model_name", "created_at")
    search_fields = ("run_id", "request_file_name", "request_sha256")
    raw_id_fields = ("job",)
    id_field = "run_id"


@admin.register(DistributionLine)
class DistributionLineAdmin(AuditedModelAdmin):
    list_display = (
        "run",
        "product",
        "store",
        "rate",
        "store_stock",
        "suggested_qty",
        "allocated_qty",
        "model_name",
        "reason",
    )
    list_filter = ("model_name", "reason")
    search_fields = ("run__run_id", "product__sku", "store__name")
    list_select_related = ("run", "product", "store")
    raw_id_fields = ("run", "product", "store")
    show_full_result_count = False

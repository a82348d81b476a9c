from django.contrib import admin

from fastdso.admin_base import AuditedModelAdmin, LifecycleModelAdmin
from redistribution.models import TransferLine, TransferPlan


@admin.register(TransferPlan)
class TransferPlanAdmin(LifecycleModelAdmin):
    list_display = (
        "plan_id",
        "mode",
        "scope",
        "category",
        "destination",
        "line_count",
        "total_units",
        "state",
        "user",
        "created_at",
    )
    list_filter = ("mode", "scope", "state", "created_at")
    search_fields = ("plan_id", "category")
    raw_id_fields = ("destination", "origin", "job")
    id_field = "plan_id"


@admin.register(TransferLine)
class TransferLineAdmin(AuditedModelAdmin):
    list_display = ("plan", "product", "origin_store", "destination_store", "qty", "urgent", "reason")
    list_filter = ("urgent", "reason")
    search_fields = ("plan__plan_id", "product__sku")
    list_select_related = ("plan", "product", "origin_store", "destination_store")
    raw_id_fields = ("plan", "product", "origin_store", "destination_store")
    show_full_result_count = False

from django.contrib import admin

from fastdso.admin_base import AuditedModelAdmin
from redistribution.models import TransferLine, TransferPlan


@admin.register(TransferPlan)
class TransferPlanAdmin(AuditedModelAdmin):
    list_display = (
        "plan_id",
        "mode",
        "scope",
        "category",
        "destination",
        "line_count",
        "total_units",
        "user",
        "created_at",
    )
    list_filter = ("mode", "scope", "created_at")
    search_fields = ("plan_id", "category")
    raw_id_fields = ("destination", "origin", "job")


@admin.register(TransferLine)
class TransferLineAdmin(AuditedModelAdmin):
    list_display = ("plan", "product", "origin_store", "destination_store", "qty", "urgent", "reason")
    list_filter = ("urgent", "reason")
    search_fields = ("plan__plan_id", "product__sku")
    list_select_related = ("plan", "product", "origin_store", "destination_store")
    raw_id_fields = ("plan", "product", "origin_store", "destination_store")
    show_full_result_count = False

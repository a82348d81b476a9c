from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from fastdso.admin_base import AuditedImportExportMixin, AuditedModelAdmin
from fastdso.files import FileRejected
from inventory.models import CDStockSnapshot, Product, StockCommitment, StockMovement, Store, StoreStockSnapshot
from inventory.resources import (
    CDStockResource,
    ProductResource,
    StoreResource,
    StoreSpreadsheetFormat,
    StoreStockResource,
)
from inventory.services import product_save


class UploadPageImportMixin(AuditedImportExportMixin):
    """The admin's "Import" opens the model's upload page: the same reader,
    job, category rule and audit as the web upload and the command."""

    upload_url_name = ""

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse(self.upload_url_name))


@admin.register(Store)
class StoreAdmin(AuditedImportExportMixin, AuditedModelAdmin):
    resource_classes = [StoreResource]
    import_formats = [StoreSpreadsheetFormat]

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, FileRejected):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    list_display = ("name", "code", "stock_date", "created_at")
    search_fields = ("name", "code")
    list_filter = ("stock_date",)


@admin.register(Product)
class ProductAdmin(UploadPageImportMixin, AuditedModelAdmin):
    resource_classes = [ProductResource]
    upload_url_name = "inventory:product_upload"
    list_display = ("sku", "name", "category", "pack_size", "created_at")
    search_fields = ("sku", "name", "category")
    list_filter = ("category",)
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        # The service spells the category as the catalogue does and moves the weekly rows with it.
        product_save(product=obj)


@admin.register(CDStockSnapshot)
class CDStockSnapshotAdmin(UploadPageImportMixin, AuditedModelAdmin):
    resource_classes = [CDStockResource]
    upload_url_name = "inventory:cd_stock_upload"
    list_display = ("product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name")
    list_filter = ("snapshot_date",)
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    show_full_result_count = False


@admin.register(StoreStockSnapshot)
class StoreStockSnapshotAdmin(UploadPageImportMixin, AuditedModelAdmin):
    resource_classes = [StoreStockResource]
    upload_url_name = "inventory:store_stock_upload"
    list_display = ("store", "product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name", "store__name")
    list_filter = ("snapshot_date", "store")
    list_select_related = ("product", "store")
    raw_id_fields = ("product", "store")
    show_full_result_count = False


@admin.register(StockCommitment)
class StockCommitmentAdmin(admin.ModelAdmin):
    """Read only: commitments are written and released by the run/plan lifecycle (SPEC §5.7)."""

    list_display = (
        "source", "kind", "product", "store", "units", "approved_on", "exported_on", "is_open", "released_at",
    )  # fmt: skip
    list_filter = ("kind", "is_open", "approved_on")
    search_fields = ("source", "product__sku", "store__name")
    list_select_related = ("product", "store")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(StockMovement)
class StockMovementAdmin(StockCommitmentAdmin):
    """Read only: shipments and receipts come from their files and the ship button (SPEC v3 §5.7)."""

    list_display = ("source", "kind", "product", "origin", "store", "units", "moved_on", "due_on", "backfill")
    list_filter = ("kind", "backfill", "moved_on")
    list_select_related = ("product", "origin", "store")

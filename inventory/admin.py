from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from fastdso.admin_base import AuditedImportExportMixin, AuditedModelAdmin
from fastdso.bounds import validate_date_in_range
from fastdso.files import FileRejected
from inventory.models import CDStockSnapshot, Product, StockCommitment, StockMovement, Store, StoreStockSnapshot
from inventory.resources import (
    CDStockResource,
    ProductResource,
    StoreResource,
    StoreSpreadsheetFormat,
    StoreStockResource,
)
from inventory.services import product_save, store_stock_dates_refresh


class BoundedSnapshotDateMixin:
    """A snapshot's date typed in the admin is bounded like every user date (issue 33 §6)."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name == "snapshot_date" and field is not None:
            field.validators.append(validate_date_in_range)
        return field


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

    # Deleting a product deletes its stock rows: each store's stock date follows what is left.
    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        super().delete_model(request, obj)
        store_stock_dates_refresh()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        store_stock_dates_refresh()


@admin.register(CDStockSnapshot)
class CDStockSnapshotAdmin(BoundedSnapshotDateMixin, UploadPageImportMixin, AuditedModelAdmin):
    resource_classes = [CDStockResource]
    upload_url_name = "inventory:cd_stock_upload"
    list_display = ("product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name")
    list_filter = ("snapshot_date",)
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    show_full_result_count = False


@admin.register(StoreStockSnapshot)
class StoreStockSnapshotAdmin(BoundedSnapshotDateMixin, UploadPageImportMixin, AuditedModelAdmin):
    """Each store's stock date follows the snapshots that exist after an edit or a delete here."""

    resource_classes = [StoreStockResource]
    upload_url_name = "inventory:store_stock_upload"
    list_display = ("store", "product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name", "store__name")
    list_filter = ("snapshot_date", "store")
    list_select_related = ("product", "store")
    raw_id_fields = ("product", "store")
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: StoreStockSnapshot, form: Any, change: bool) -> None:
        before = StoreStockSnapshot.objects.filter(pk=obj.pk).values_list("store_id", flat=True).first()
        super().save_model(request, obj, form, change)
        store_stock_dates_refresh(store_ids={obj.store_id, before} - {None})

    def delete_model(self, request: HttpRequest, obj: StoreStockSnapshot) -> None:
        store_id = obj.store_id
        super().delete_model(request, obj)
        store_stock_dates_refresh(store_ids=[store_id])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        store_ids = set(queryset.values_list("store_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        store_stock_dates_refresh(store_ids=store_ids)


@admin.register(StockCommitment)
class StockCommitmentAdmin(admin.ModelAdmin):
    """Read only: commitments are written and released by the run/plan lifecycle (SPEC §5.7)."""

    list_display = (
        "source", "kind", "product", "store", "units", "approved_on", "exported_on", "is_open", "released_at",
    )  # fmt: skip
    list_filter = ("kind", "is_open", "approved_on")
    search_fields = ("source", "product__sku", "store__name")
    list_select_related: tuple[str, ...] = ("product", "store")
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

from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportMixin

from fastdso.admin_base import AuditedModelAdmin
from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
from inventory.resources import CDStockResource, ProductResource, StoreResource, StoreStockResource


@admin.register(Store)
class StoreAdmin(ImportExportMixin, AuditedModelAdmin):
    resource_classes = [StoreResource]
    list_display = ("name", "code", "stock_date", "created_at")
    search_fields = ("name", "code")
    list_filter = ("stock_date",)


@admin.register(Product)
class ProductAdmin(ImportExportMixin, AuditedModelAdmin):
    resource_classes = [ProductResource]
    list_display = ("sku", "name", "category", "created_at")
    search_fields = ("sku", "name", "category")
    list_filter = ("category",)
    show_full_result_count = False


@admin.register(CDStockSnapshot)
class CDStockSnapshotAdmin(ExportMixin, AuditedModelAdmin):
    resource_classes = [CDStockResource]
    list_display = ("product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name")
    list_filter = ("snapshot_date",)
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    show_full_result_count = False


@admin.register(StoreStockSnapshot)
class StoreStockSnapshotAdmin(ExportMixin, AuditedModelAdmin):
    resource_classes = [StoreStockResource]
    list_display = ("store", "product", "units", "snapshot_date")
    search_fields = ("product__sku", "product__name", "store__name")
    list_filter = ("snapshot_date", "store")
    list_select_related = ("product", "store")
    raw_id_fields = ("product", "store")
    show_full_result_count = False

from django.urls import path

from inventory import demo_views, upload_views, views

app_name = "inventory"  # with the Store Health pages added by health/urls.py
urlpatterns: list = [
    path("stock/cd/", views.CDStockView.as_view(), name="cd_stock"),
    path("stock/cd/export/", views.CDStockExportView.as_view(), name="cd_stock_export"),
    path("stock/stores/", views.StoreStockView.as_view(), name="store_stock"),
    path("stock/stores/export/", views.StoreStockExportView.as_view(), name="store_stock_export"),
    path("products/upload/", upload_views.ProductUploadView.as_view(), name="product_upload"),
    path("stock/cd/upload/", upload_views.CDStockUploadView.as_view(), name="cd_stock_upload"),
    path("stock/stores/upload/", upload_views.StoreStockUploadView.as_view(), name="store_stock_upload"),
    path("stores/upload/", upload_views.StoreFileUploadView.as_view(), name="store_upload"),
    path("stock/shipments/upload/", upload_views.ShipmentsUploadView.as_view(), name="shipments_upload"),
    path("stock/receipts/upload/", upload_views.ReceiptsUploadView.as_view(), name="receipts_upload"),
    path("demo/clear/", demo_views.DemoClearView.as_view(), name="demo_clear"),
]

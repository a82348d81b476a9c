from django.urls import path

from fastdso.uploads import upload_view
from inventory import demo_views, jobs, views

app_name = "inventory"  # with the Store Health pages added by health/urls.py
urlpatterns: list = [
    path("stock/cd/", views.CDStockView.as_view(), name="cd_stock"),
    path("stock/cd/export/", views.CDStockExportView.as_view(), name="cd_stock_export"),
    path("stock/stores/", views.StoreStockView.as_view(), name="store_stock"),
    path("stock/stores/export/", views.StoreStockExportView.as_view(), name="store_stock_export"),
    path("products/upload/", upload_view(jobs.PRODUCT_IMPORT), name="product_upload"),
    path("stock/cd/upload/", upload_view(jobs.CD_STOCK_IMPORT), name="cd_stock_upload"),
    path("stock/stores/upload/", upload_view(jobs.STORE_STOCK_IMPORT), name="store_stock_upload"),
    path("stores/upload/", upload_view(jobs.STORE_IMPORT), name="store_upload"),
    path("stock/shipments/upload/", upload_view(jobs.SHIPMENTS_IMPORT), name="shipments_upload"),
    path("stock/receipts/upload/", upload_view(jobs.RECEIPTS_IMPORT), name="receipts_upload"),
    path("demo/clear/", demo_views.DemoClearView.as_view(), name="demo_clear"),
]

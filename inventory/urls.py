from django.urls import path

from inventory import demo_views, upload_views, views

app_name = "inventory"
urlpatterns: list = [
    path("health/alerts/", views.AlertListView.as_view(), name="health_alerts"),
    path("health/alerts/export/", views.AlertExportView.as_view(), name="health_alerts_export"),
    path("stock/cd/", views.CDStockView.as_view(), name="cd_stock"),
    path("stock/cd/export/", views.CDStockExportView.as_view(), name="cd_stock_export"),
    path("stock/stores/", views.StoreStockView.as_view(), name="store_stock"),
    path("stock/stores/export/", views.StoreStockExportView.as_view(), name="store_stock_export"),
    path("stock/query/", views.StockQueryView.as_view(), name="stock_query"),
    path("products/upload/", upload_views.ProductUploadView.as_view(), name="product_upload"),
    path("stock/cd/upload/", upload_views.CDStockUploadView.as_view(), name="cd_stock_upload"),
    path("stock/stores/upload/", upload_views.StoreStockUploadView.as_view(), name="store_stock_upload"),
    path("demo/clear/", demo_views.DemoClearView.as_view(), name="demo_clear"),
]

from django.urls import path

from inventory import upload_views

app_name = "inventory"
urlpatterns = [
    path("products/upload/", upload_views.ProductUploadView.as_view(), name="product_upload"),
    path("stock/cd/upload/", upload_views.CDStockUploadView.as_view(), name="cd_stock_upload"),
    path("stock/stores/upload/", upload_views.StoreStockUploadView.as_view(), name="store_stock_upload"),
]

from django.urls import path

from fastdso.uploads import upload_view
from sales import views
from sales.jobs import LEGACY_SALES_IMPORT, PROMOTION_IMPORT

app_name = "sales"
urlpatterns = [
    path("sales_macro_upload", views.MacroUploadView.as_view(), name="macro_upload"),
    path("sales_upload", upload_view(LEGACY_SALES_IMPORT), name="legacy_upload"),
    path("promotions_upload", upload_view(PROMOTION_IMPORT), name="promotion_upload"),
]

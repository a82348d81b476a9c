from django.urls import path

from sales import views

app_name = "sales"
urlpatterns = [
    path("sales_macro_upload", views.MacroUploadView.as_view(), name="macro_upload"),
    path("sales_upload", views.LegacyUploadView.as_view(), name="legacy_upload"),
    path("promotions_upload", views.PromotionUploadView.as_view(), name="promotion_upload"),
]

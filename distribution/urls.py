from django.urls import path

from distribution import views

app_name = "distribution"
urlpatterns = [
    path("distribution/generate/", views.GenerateView.as_view(), name="generate"),
    path("distribution/runs/", views.RunListView.as_view(), name="run_list"),
    path("distribution/runs/<str:run_id>/", views.RunSummaryView.as_view(), name="run_detail"),
    path("distribution/runs/<str:run_id>/lines/", views.RunLinesView.as_view(), name="run_lines"),
    path("distribution/runs/<str:run_id>/stores/", views.RunStoresView.as_view(), name="run_stores"),
    path("distribution/runs/<str:run_id>/exceptions/", views.RunExceptionsView.as_view(), name="run_exceptions"),
    path("distribution/runs/<str:run_id>/export.<str:fmt>", views.RunExportView.as_view(), name="run_export"),
    path("distribution/compare/", views.CompareView.as_view(), name="compare"),
    path("distribution/compare/export.<str:fmt>", views.CompareExportView.as_view(), name="compare_export"),
]

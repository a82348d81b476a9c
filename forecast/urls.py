from django.urls import path

from forecast import views

app_name = "forecast"
urlpatterns = [
    path("forecast/", views.ForecastHomeView.as_view(), name="home"),
    path("forecast/runs/<int:pk>/", views.ForecastRunDetailView.as_view(), name="run_detail"),
    path("forecast/runs/<int:pk>/export.<str:fmt>", views.ForecastRunExportView.as_view(), name="run_export"),
]

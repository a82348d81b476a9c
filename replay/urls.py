from django.urls import path

from replay import views

app_name = "replay"
urlpatterns = [
    path("distribution/replay/", views.ReplayHomeView.as_view(), name="home"),
    path("distribution/replay/<str:replay_id>/", views.ReplayDetailView.as_view(), name="detail"),
    path("distribution/replay/<str:replay_id>/export.<str:fmt>", views.ReplayExportView.as_view(), name="export"),
]

from django.urls import path

from redistribution import views

app_name = "redistribution"
urlpatterns = [
    path("redistribution/", views.PlanCreateView.as_view(), name="plan_create"),
    path("redistribution/plans/", views.PlanListView.as_view(), name="plan_list"),
    path("redistribution/plans/<str:plan_id>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path(
        "redistribution/plans/<str:plan_id>/transfers/",
        views.PlanDetailView.as_view(tab="transfers"),
        name="plan_transfers",
    ),
    path(
        "redistribution/plans/<str:plan_id>/destinations/",
        views.PlanDetailView.as_view(tab="destinations"),
        name="plan_destinations",
    ),
    path(
        "redistribution/plans/<str:plan_id>/export.<str:fmt>",
        views.PlanExportView.as_view(),
        name="plan_export",
    ),
]

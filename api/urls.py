"""/api/v1/ and the profile page (tokens).

API views answer 401/403 as JSON themselves: they are exempt from the login
redirect (LoginRequiredMiddleware) and from the viewer gate middleware, and
check the same roles through DRF (api.permissions). The docs page is a web
page: anonymous users are sent to the login like any page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from api import pages, views

app_name = "api"


def api(view_class: Any, **initkwargs: Any) -> Callable[..., Any]:
    func = login_not_required(view_class.as_view(**initkwargs))
    func.checks_roles_itself = True
    return func


V1 = "api/v1/"
# The uploads: one endpoint per upload type that names one (fastdso.uploads).
urlpatterns = [
    path(f"{V1}uploads/{name}/", api(view), name=f"upload_{name}") for name, view in views.UPLOAD_VIEWS.items()
]
urlpatterns += [
    path(V1 + "jobs/<int:pk>/", api(views.JobDetailView), name="job_detail"),
    path(V1 + "jobs/<int:pk>/errors/", api(views.JobErrorsView), name="job_errors"),
    path(V1 + "runs/", api(views.RunListView), name="run_list"),
    path(V1 + "runs/<str:run_id>/", api(views.RunDetailView), name="run_detail"),
    path(V1 + "runs/<str:run_id>/lines/", api(views.RunLinesView), name="run_lines"),
    path(V1 + "runs/<str:run_id>/order/", api(views.RunOrderView), name="run_order"),
    path(V1 + "runs/<str:run_id>/status/", api(views.RunStatusView), name="run_status"),
    path(V1 + "plans/", api(views.PlanListView), name="plan_list"),
    path(V1 + "plans/<str:plan_id>/", api(views.PlanDetailView), name="plan_detail"),
    path(V1 + "plans/<str:plan_id>/lines/", api(views.PlanLinesView), name="plan_lines"),
    path(V1 + "plans/<str:plan_id>/status/", api(views.PlanStatusView), name="plan_status"),
    path(V1 + "replays/", api(views.ReplayListView), name="replay_list"),
    path(V1 + "replays/<str:replay_id>/", api(views.ReplayDetailView), name="replay_detail"),
    path(V1 + "stock/<str:sku>/", api(views.StockView), name="stock"),
    path(V1 + "forecast/", api(views.ForecastCreateView), name="forecast_create"),
    path(V1 + "forecast/<int:pk>/", api(views.ForecastDetailView), name="forecast_detail"),
    path(V1 + "forecast/<int:pk>/lines/", api(views.ForecastLinesView), name="forecast_lines"),
    path(V1 + "forecast/<int:pk>/evaluation/", api(views.ForecastEvaluationView), name="forecast_evaluation"),
    path(V1 + "schema/", api(views.SchemaView), name="schema"),
    # A web page: DRF views skip LoginRequiredMiddleware, so the login redirect is asked for here.
    path(V1 + "docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("profile/", pages.ProfileView.as_view(), name="profile"),
    # Anything else under /api/ is a JSON 404 (e.g. /api/v1/jobs/-1/), not the HTML page.
    re_path(r"^api/", api(views.NotFoundView), name="not_found"),
]

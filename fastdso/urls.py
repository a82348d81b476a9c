from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from fastdso import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/", views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/status.json", views.JobStatusView.as_view(), name="job_status"),
    path("jobs/<int:pk>/errors.csv", views.JobErrorsCsvView.as_view(), name="job_errors_csv"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("lifecycle/<str:object_id>/", views.LifecycleTransitionView.as_view(), name="lifecycle_transition"),
    path("lifecycle/<str:object_id>/export/", views.LifecycleExportView.as_view(), name="lifecycle_export"),
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
        name="favicon",
    ),
    path("admin/", admin.site.urls),
    path("", include("health.urls")),  # "home" and the inventory: namespace (stock + Store Health pages)
    path("", include("sales.urls")),
    path("", include("distribution.urls")),
    path("", include("forecast.urls")),
    path("", include("redistribution.urls")),
    path("", include("replay.urls")),
]

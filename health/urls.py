"""The Store Health pages keep their names from when they lived in inventory:
the dashboard is `home` and the alert list, its export and Stock Query are in
the `inventory:` namespace. A namespace is one include, so this module (above
inventory in the layers) serves inventory's pages and its own under it; the
root URLconf includes this module instead of `inventory.urls`."""

from django.urls import include, path

from health import views
from inventory import urls as inventory_urls

health_patterns = [
    path("health/alerts/", views.AlertListView.as_view(), name="health_alerts"),
    path("health/alerts/export/", views.AlertExportView.as_view(), name="health_alerts_export"),
    path("stock/query/", views.StockQueryView.as_view(), name="stock_query"),
]

urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("", include(([*health_patterns, *inventory_urls.urlpatterns], inventory_urls.app_name))),
]

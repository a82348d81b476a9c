from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    """Store Health (the dashboard, the alert list) and Stock Query: the top of the
    app layers, it reads stock, sales, runs and plans (docs/architecture.md)."""

    name = "health"
    verbose_name = _("Salud de tiendas")

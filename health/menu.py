from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [
    MenuItem("dashboard", _("Panel de salud de tiendas"), "home", order=0),
    MenuItem("dashboard", _("Alertas de stock"), "inventory:health_alerts", order=5),
    MenuItem("stock", _("Consulta de stock"), "inventory:stock_query", order=30),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Ventas")

    def ready(self) -> None:
        from inventory.signals import categories_set
        from sales.services import sales_category_sync

        categories_set.connect(sales_category_sync, dispatch_uid="sales_category_sync")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventario")

    def ready(self) -> None:
        from inventory.demo import demo_models_register
        from inventory.models import CDStockSnapshot, StockCommitment, StockMovement, StoreStockSnapshot

        demo_models_register(CDStockSnapshot, StoreStockSnapshot, StockCommitment, StockMovement)

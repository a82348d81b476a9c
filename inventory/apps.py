from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventario")

    def ready(self) -> None:
        from fastdso.demo_clear import demo_marks_register, demo_models_register
        from inventory.demo import DEMO_MARKS
        from inventory.models import CDStockSnapshot, StockCommitment, StockMovement, StoreStockSnapshot

        demo_marks_register(DEMO_MARKS)
        demo_models_register(CDStockSnapshot, StoreStockSnapshot, StockCommitment, StockMovement)

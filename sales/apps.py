from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Ventas")

    def ready(self) -> None:
        from fastdso.demo_clear import demo_models_register
        from sales import models

        demo_models_register(
            models.SalesWeeklyAgg,
            models.SalesLoad,
            models.StoreCoverage,
            models.CategoryStoreSales,
            models.DistributionRecord,
            models.Promotion,
        )

        from inventory.signals import categories_set
        from sales.services import sales_category_sync

        categories_set.connect(sales_category_sync, dispatch_uid="sales_category_sync")
        post_migrate.connect(_summary_triggers, sender=self, dispatch_uid="sales_summary_triggers")


def _summary_triggers(*, using: str = "default", **_kwargs: object) -> None:
    """After every migrate: the triggers that keep the category summary honest."""
    from sales.summary import triggers_install

    triggers_install(using)

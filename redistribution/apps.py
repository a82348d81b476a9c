from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedistributionConfig(AppConfig):
    name = "redistribution"
    verbose_name = _("Redistribución")

    def ready(self) -> None:
        from fastdso.lifecycle import lifecycle_register
        from redistribution.lifecycle import KIND

        lifecycle_register(KIND)

        from inventory.demo import demo_finder_register
        from redistribution.demo import demo_empty_plans
        from redistribution.models import TransferPlan

        demo_finder_register(TransferPlan, demo_empty_plans)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedistributionConfig(AppConfig):
    name = "redistribution"
    verbose_name = _("Redistribución")

    def ready(self) -> None:
        from fastdso.demo_clear import demo_finder_register, demo_models_register
        from fastdso.lifecycle import lifecycle_register
        from redistribution.demo import demo_empty_plans
        from redistribution.lifecycle import KIND
        from redistribution.models import TransferLine, TransferPlan

        lifecycle_register(KIND)
        demo_models_register(TransferPlan, TransferLine)
        demo_finder_register(TransferPlan, demo_empty_plans)

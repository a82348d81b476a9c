from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = _("Distribución")

    def ready(self) -> None:
        from distribution.models import DistributionLine, DistributionRun
        from fastdso.demo_clear import demo_models_register

        demo_models_register(DistributionRun, DistributionLine)

        from distribution.lifecycle import KIND
        from fastdso.lifecycle import lifecycle_register

        lifecycle_register(KIND)

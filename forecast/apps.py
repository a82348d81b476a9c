from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = _("Pronóstico de compra")

    def ready(self) -> None:
        from forecast.models import ForecastLine, ForecastRun
        from inventory.demo import demo_models_register

        demo_models_register(ForecastRun, ForecastLine)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = _("Pronóstico de compra")

    def ready(self) -> None:
        from fastdso.demo_clear import demo_models_register
        from forecast.models import ForecastLine, ForecastRun

        demo_models_register(ForecastRun, ForecastLine)

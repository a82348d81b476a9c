from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplayConfig(AppConfig):
    name = "replay"
    verbose_name = _("Replay de políticas")

    def ready(self) -> None:
        from fastdso.demo_clear import demo_finder_register, demo_models_register
        from replay.demo import demo_replays
        from replay.models import ReplayRun

        demo_models_register(ReplayRun)
        demo_finder_register(ReplayRun, demo_replays)

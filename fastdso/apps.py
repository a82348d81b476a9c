from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FastDSOConfig(AppConfig):
    name = "fastdso"
    verbose_name = _("FastDSO: tareas y auditoría")

    def ready(self) -> None:
        # Each app declares its background-job runners in `jobs.py`.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

        # The django-q2 cluster survives killed workers (fastdso/worker.py).
        from fastdso.worker import install

        install()

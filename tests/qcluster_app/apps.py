from __future__ import annotations

import os
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def _record_worker(sender: object, proc_name: str, **kwargs: object) -> None:
    """Each django-q2 worker leaves its pid here, so that a test can kill it."""
    folder = Path(settings.VAR_DIR) / "workers"
    folder.mkdir(exist_ok=True)
    (folder / str(os.getpid())).write_text(proc_name)


class QclusterTestConfig(AppConfig):
    name = "tests.qcluster_app"
    label = "qcluster_test"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        post_spawn.connect(_record_worker, dispatch_uid="fastdso-test-record-worker")

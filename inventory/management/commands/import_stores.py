"""python manage.py import_stores FILE"""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import STORE_IMPORT


class Command(ImportCommand):
    help = (
        "Carga el archivo de tiendas (store; opcionales code, opened_on, like_store, size_factor, "
        "lead_time_days, active)."
    )
    job_kind = STORE_IMPORT

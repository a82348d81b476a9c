"""python manage.py import_promotions FILE [--replace-range]"""

from __future__ import annotations

from fastdso.commands import ImportCommand
from sales.jobs import PROMOTION_IMPORT


class Command(ImportCommand):
    help = "Carga el calendario de promociones (sku, start_date, end_date, store opcional, name opcional)."
    job_kind = PROMOTION_IMPORT
    flags = {"replace_range": "Borrar primero las promociones que se cruzan con el rango de fechas del archivo."}

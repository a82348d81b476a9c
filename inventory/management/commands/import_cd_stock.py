"""python manage.py import_cd_stock FILE [--date YYYY-MM-DD] [--partial] [--backfill]

A CD file is the whole CD: SKUs absent from it have 0 units, unless
--partial, which updates only the file's SKUs (the others keep their latest
quantity)."""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import CD_STOCK_IMPORT


class Command(ImportCommand):
    help = "Carga el stock del CD (sku, quantity) de una fecha. Por defecto, hoy."
    job_kind = CD_STOCK_IMPORT
    date_help = "Fecha del stock, AAAA-MM-DD (por defecto, hoy)."
    flags = {
        "backfill": "Confirma una fecha anterior al último conteo (queda en la auditoría).",
        "partial": (
            "Solo actualiza los SKUs del archivo; los demás mantienen su última cantidad "
            "(sin esta opción, los SKUs ausentes quedan en 0)."
        ),
    }

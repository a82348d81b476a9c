"""python manage.py import_store_stock FILE [--date YYYY-MM-DD] [--backfill]"""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import STORE_STOCK_IMPORT


class Command(ImportCommand):
    help = "Carga el stock de tiendas (sku, store, quantity) de una fecha. Por defecto, hoy."
    job_kind = STORE_STOCK_IMPORT
    date_help = "Fecha del stock, AAAA-MM-DD (por defecto, hoy)."
    flags = {"backfill": "Confirma una fecha anterior al último conteo (queda en la auditoría)."}

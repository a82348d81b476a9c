"""python manage.py import_shipments FILE [--backfill] (SPEC v3 §5.7, §9)."""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import SHIPMENTS_IMPORT


class Command(ImportCommand):
    help = "Carga despachos confirmados (run_id o plan_id, sku, store, qty, shipped_on; origin en planes)."
    job_kind = SHIPMENTS_IMPORT
    flags = {"backfill": "Confirma fechas anteriores al último conteo de stock (queda en la auditoría)."}

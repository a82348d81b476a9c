"""python manage.py import_receipts FILE [--backfill] (SPEC v3 §5.7, §9)."""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import RECEIPTS_IMPORT


class Command(ImportCommand):
    help = "Carga recepciones en tienda (run_id o plan_id, sku, store, qty, received_on)."
    job_kind = RECEIPTS_IMPORT
    flags = {"backfill": "Confirma fechas anteriores al último conteo de stock (queda en la auditoría)."}

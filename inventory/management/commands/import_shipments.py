"""python manage.py import_shipments FILE [--backfill] (SPEC v3 §5.7, §9)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from inventory.jobs import SHIPMENTS_IMPORT
from inventory.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Carga despachos confirmados (run_id o plan_id, sku, store, qty, shipped_on; origin en planes)."
    job_kind = SHIPMENTS_IMPORT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="Confirma fechas anteriores al último conteo de stock (queda en la auditoría).",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"backfill": True} if options.get("backfill") else {}

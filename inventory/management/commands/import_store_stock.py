"""python manage.py import_store_stock FILE [--date YYYY-MM-DD] [--backfill]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from inventory.jobs import STORE_STOCK_IMPORT
from inventory.management.import_command import ImportCommand, iso_date


class Command(ImportCommand):
    help = "Carga el stock de tiendas (sku, store, quantity) de una fecha. Por defecto, hoy."
    job_kind = STORE_STOCK_IMPORT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--date", type=iso_date, help="Fecha del stock, AAAA-MM-DD (por defecto, hoy).")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="Confirma una fecha anterior al último conteo (queda en la auditoría).",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"date": options["date"]} if options.get("date") else {}
        if options.get("backfill"):
            params["backfill"] = True
        return params

"""python manage.py import_cd_stock FILE [--date YYYY-MM-DD] [--partial] [--backfill]

A CD file is the whole CD: SKUs absent from it have 0 units, unless
--partial, which updates only the file's SKUs (the others keep their latest
quantity)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from inventory.jobs import CD_STOCK_IMPORT
from inventory.management.import_command import ImportCommand, iso_date


class Command(ImportCommand):
    help = "Carga el stock del CD (sku, quantity) de una fecha. Por defecto, hoy."
    job_kind = CD_STOCK_IMPORT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--date", type=iso_date, help="Fecha del stock, AAAA-MM-DD (por defecto, hoy).")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="Confirma una fecha anterior al último conteo (queda en la auditoría).",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Solo actualiza los SKUs del archivo; los demás mantienen su última cantidad "
            "(sin esta opción, los SKUs ausentes quedan en 0).",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"date": options["date"]} if options.get("date") else {}
        if options.get("partial"):
            params["partial"] = True
        if options.get("backfill"):
            params["backfill"] = True
        return params

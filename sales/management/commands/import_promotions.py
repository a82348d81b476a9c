"""python manage.py import_promotions FILE [--replace-range]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from inventory.management.import_command import ImportCommand
from sales.jobs import PROMOTION_IMPORT


class Command(ImportCommand):
    help = "Carga el calendario de promociones (sku, start_date, end_date, store opcional, name opcional)."
    job_kind = PROMOTION_IMPORT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--replace-range",
            action="store_true",
            help="Borrar primero las promociones que se cruzan con el rango de fechas del archivo.",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"replace_range": True} if options["replace_range"] else {}

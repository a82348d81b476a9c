"""python manage.py import_macro_sales FILE [--mode replace_range|append_range]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from fastdso.commands import ImportCommand
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad


class Command(ImportCommand):
    help = "Carga ventas diarias de todo el catálogo (sku, store, date, quantity) a la capa macro semanal."
    job_kind = MACRO_SALES_IMPORT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--mode",
            choices=list(SalesLoad.Mode.values),
            default=str(SalesLoad.Mode.REPLACE_RANGE),
            help="replace_range (por defecto): el archivo reemplaza sus fechas; append_range: suma.",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"mode": options["mode"]}

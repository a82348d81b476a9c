"""python manage.py prune_sales --before DATE | --keep-weeks N

Retention of the weekly macro layer (SPEC v3 §11b): removes the weeks that
start before the Monday of DATE (or the last N weeks up to the latest loaded
week are kept). PostgreSQL drops whole monthly partitions; newer weeks are
never touched. Audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sales.partitions import sales_prune
from sales.queries import last_loaded_sale_date, monday


class Command(BaseCommand):
    help = "Borra el historial semanal de ventas anterior a una fecha (particiones completas en PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--before",
            type=dt.date.fromisoformat,
            help="Fecha AAAA-MM-DD: se borran las semanas anteriores a la semana de esa fecha.",
        )
        group.add_argument("--keep-weeks", type=int, help="Semanas que se conservan hasta la última semana cargada.")

    def handle(self, *args: Any, **options: Any) -> None:
        before = options["before"]
        if options["keep_weeks"] is not None:
            if options["keep_weeks"] < 1:
                raise CommandError("--keep-weeks debe ser 1 o más.")
            last = last_loaded_sale_date()
            if last is None:
                self.stdout.write("No hay ventas semanales: nada que borrar.")
                return
            before = monday(last) - dt.timedelta(weeks=options["keep_weeks"] - 1)
        result = sales_prune(before)
        dropped = len(result.partitions_dropped)
        self.stdout.write(
            f"Semanas anteriores a {result.cut.isoformat()}: {result.rows_deleted} filas borradas "
            f"({dropped} particiones eliminadas)."
        )

"""forecast_eval (--skus FILE | --category NAME) [--coverage-weeks N] [--origins N]
[--stores NAME,NAME…] [--as-of DATE] [--output FILE]  (SPEC v3 §6, §9).

The rolling-origin evaluation of the forecast methods (naive, seasonal naive,
sma, seasonal, and statsforecast's AutoETS when installed) on the macro
history: CSV `level, key, method, wape, bias, mase, n`. Without --output the
pooled figures and the winner per category are printed. Bad input exits
non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fastdso.commands import command_date, command_number, output_path_check, sku_scope_arguments
from fastdso.exports import write_export
from fastdso.files import FileRejected, sku_file_read
from fastdso.jobs import JobInputError
from forecast import engine
from forecast.models import ForecastRun
from forecast.services import EvaluationRequest, forecast_evaluate
from inventory.queries import category_resolve
from inventory.services import stores_resolve
from sales.queries import resolve_as_of_week


class Command(BaseCommand):
    help = "Evalúa los métodos de pronóstico (naive, naive estacional, sma, estacional) en las últimas semanas."

    def add_arguments(self, parser: CommandParser) -> None:
        sku_scope_arguments(parser)
        parser.add_argument("--coverage-weeks", default="4", help="Horizonte: semanas de cobertura (4).")
        parser.add_argument("--origins", default=str(engine.EVAL_ORIGINS), help="Orígenes evaluados (13).")
        parser.add_argument("--stores", metavar="NAME,NAME…", help="Tiendas (nombre o código); por defecto todas.")
        parser.add_argument(
            "--as-of", metavar="DATE", help="Última semana de la historia; por defecto la última completa."
        )
        parser.add_argument("--output", metavar="FILE", help="FILE.csv o FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        coverage = command_number(options["coverage_weeks"], "--coverage-weeks", int, minimum=1)
        origins = command_number(options["origins"], "--origins", int, minimum=1)
        if coverage > 52 or origins > 52:
            raise CommandError("--coverage-weeks y --origins deben ser como mucho 52.")
        as_of = command_date(options["as_of"]) if options.get("as_of") else None
        output = options.get("output")
        output_path_check(output)
        if as_of is None and resolve_as_of_week(None) is None:
            raise CommandError("No hay ventas macro cargadas: cargue ventas o indique --as-of.")
        store_ids: list[int] = []
        if options.get("stores"):
            labels = [label.strip() for label in options["stores"].split(",") if label.strip()]
            resolved = stores_resolve(labels, create=False).id_by_label
            unknown = [label for label in labels if label not in resolved]
            if unknown or not labels:
                raise CommandError(f"Tienda(s) desconocida(s): {', '.join(unknown) or options['stores']}.")
            store_ids = list(dict.fromkeys(resolved[label] for label in labels))
        if options.get("skus"):
            path = Path(options["skus"])
            if not path.is_file():
                raise CommandError(f"No existe el archivo «{path}».")
            try:
                skus = sku_file_read(path).skus
            except FileRejected as exc:
                raise CommandError(str(exc)) from exc
            request = EvaluationRequest(scope=str(ForecastRun.Scope.SKUS), skus=skus)
        else:
            category = category_resolve(options["category"])
            if not category:
                raise CommandError(f"Categoría desconocida: «{options['category']}».")
            request = EvaluationRequest(scope=str(ForecastRun.Scope.CATEGORY), category=category)
        request = EvaluationRequest(
            scope=request.scope,
            skus=request.skus,
            category=request.category,
            store_ids=tuple(store_ids),
            coverage_weeks=coverage,
            origins=origins,
            as_of=as_of,
        )
        try:
            result = forecast_evaluate(request=request)
        except JobInputError as exc:
            raise CommandError(str(exc)) from exc

        table = result.table
        weeks = result.origin_weeks
        span = f"{weeks[0]}–{weeks[-1]}" if weeks else "—"
        self.stdout.write(f"Evaluación: {len(weeks)} orígenes ({span}), horizonte {coverage} semanas")
        pooled = table[table["key"] == engine.ALL]
        for row in pooled.itertuples(index=False):
            self.stdout.write(
                f"  {row.level:9} {row.method:15} WAPE {_pct(row.wape)}  sesgo {_pct(row.bias)}  "
                f"MASE {_num(row.mase)}  n {row.n}"
            )
        for category, method in sorted(result.winners.items()):
            self.stdout.write(f"  gana en {category}: {method}")
        if engine.AUTOETS in set(table["method"]):
            self.stdout.write(f"  AutoETS: {result.seconds.get(engine.AUTOETS, 0):.1f} s")
        if output:
            frame = table[engine.EVAL_COLUMNS].astype({"n": "int64"})
            write_export(frame, output, text_columns=("key",))
            self.stdout.write(f"{len(frame)} filas escritas en {output}")


def _pct(value: float) -> str:
    return "   —  " if pd.isna(value) else f"{value * 100:5.1f} %"


def _num(value: float) -> str:
    return "  — " if pd.isna(value) else f"{value:4.2f}"

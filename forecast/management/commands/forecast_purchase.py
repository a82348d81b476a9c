"""forecast_purchase (--skus FILE | --category NAME) [--stores NAME,NAME…] [--weeks N]
[--coverage-weeks N] [--as-of DATE] [--method seasonal|sma] [--output FILE]  (SPEC §9).

Runs the same job as the web page, synchronously, prints a summary and, with
--output, writes the CSV/XLSX (by extension). Bad input exits non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from fastdso.commands import command_date, command_number, job_failure, output_path_check, sku_scope_arguments
from fastdso.exports import write_export
from fastdso.jobs import job_start
from fastdso.messages import render
from fastdso.models import Job
from forecast import engine
from forecast import jobs as forecast_jobs
from forecast.models import ForecastRun
from forecast.services import forecast_export_frame, forecast_export_info, forecast_export_record
from inventory.queries import category_resolve
from inventory.services import stores_resolve
from sales.queries import resolve_as_of_week


class Command(BaseCommand):
    help = "Pronóstico de compra V2 sobre las ventas macro (SKU list o categoría)."

    def add_arguments(self, parser: CommandParser) -> None:
        sku_scope_arguments(parser)
        parser.add_argument("--stores", metavar="NAME,NAME…", help="Tiendas (nombre o código); por defecto todas.")
        parser.add_argument("--weeks", default=None, help="Semanas de historia (seasonal 26, sma 12).")
        parser.add_argument("--coverage-weeks", default="4", help="Semanas de cobertura (4).")
        parser.add_argument("--as-of", metavar="DATE", help="Semana de corte; por defecto la última completa.")
        parser.add_argument(
            "--method",
            choices=list(engine.METHODS),
            default=engine.SEASONAL,
            help="seasonal (v3, por defecto) o sma (la regla V2).",
        )
        parser.add_argument(
            "--eol-weeks", default=str(engine.EOL_WEEKS), help="Semanas sin venta para fin de vida (8; 0 = sin marca)."
        )
        parser.add_argument("--output", metavar="FILE", help="FILE.csv o FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        weeks = command_number(options["weeks"], "--weeks", int, minimum=1) if options["weeks"] else None
        if weeks is not None and weeks > 104:
            raise CommandError(f"--weeks: «{weeks}» debe ser como mucho 104.")
        eol_weeks = command_number(options["eol_weeks"], "--eol-weeks", int, minimum=0)
        if eol_weeks > 52:
            raise CommandError(f"--eol-weeks: «{eol_weeks}» debe ser como mucho 52.")
        coverage = command_number(options["coverage_weeks"], "--coverage-weeks", int, minimum=1)
        as_of = command_date(options["as_of"]) if options.get("as_of") else None
        output = options.get("output")
        output_path_check(output)
        if as_of is None and resolve_as_of_week(None) is None:
            raise CommandError("No hay ventas macro cargadas: cargue ventas o indique --as-of.")

        store_ids = _store_ids(options.get("stores") or "")
        params: dict[str, Any] = {
            "store_ids": store_ids,
            "weeks": weeks,
            "coverage_weeks": coverage,
            "as_of": as_of.isoformat() if as_of else None,
            "backtest_weeks": 8,
            "method": options["method"],
            "eol_weeks": eol_weeks,
        }
        path = None
        if options.get("skus"):
            path = Path(options["skus"])
            if not path.is_file():
                raise CommandError(f"No existe el archivo «{path}».")
            params.update(scope=ForecastRun.Scope.SKUS, input_name=path.name)
        else:
            category = category_resolve(options["category"])
            if not category:
                raise CommandError(f"Categoría desconocida: «{options['category']}».")
            params.update(scope=ForecastRun.Scope.CATEGORY, category=category)

        job = job_start(kind=forecast_jobs.KIND, params=params, path=path, sync=True)
        if job.status != Job.Status.DONE:
            raise job_failure(job)

        run = ForecastRun.objects.filter(job=job).get()
        for warning in job.warnings:
            self.stderr.write(f"Advertencia: {render(warning)}")
        self.stdout.write(f"Pronóstico #{run.pk} ({run.get_absolute_url()})")
        self.stdout.write(
            f"Semana de corte {run.as_of_week} · ventana {run.window_start}–{run.as_of_week} "
            f"({run.weeks} semanas) · cobertura {run.coverage_weeks} semanas · "
            f"tiendas: {', '.join(run.store_names) or 'todas'}"
        )
        self.stdout.write(
            f"SKUs {run.sku_count}: MACRO {run.macro_count}, CATEGORY_PROXY {run.proxy_count}, "
            f"NO_HISTORY {run.no_history_count} · unidades a comprar {run.purchase_units}"
        )
        self.stdout.write(f"Método {run.method} · END_OF_LIFE {run.eol_count}")
        winners = (run.evaluation or {}).get("winners") or {}
        if winners:
            shown = ", ".join(f"{category}: {method}" for category, method in sorted(winners.items())[:10])
            self.stdout.write(f"Evaluación ({len(run.evaluation['origin_weeks'])} orígenes): gana {shown}")
        best = (run.backtest or {}).get("best")
        if best:
            wape = next(m["wape"] for m in run.backtest["methods"] if m["method"] == best)
            self.stdout.write(f"Backtest: mejor ventana {best} (WAPE {wape * 100:.1f} %)")
        if output:
            frame = forecast_export_frame(run)
            write_export(
                frame, output, text_columns=("sku", "product_name", "category"), info=forecast_export_info(run)
            )
            forecast_export_record(run=run, user=None, fmt=Path(output).suffix.lower().lstrip("."), rows=len(frame))
            self.stdout.write(f"{len(frame)} filas escritas en {output}")


def _store_ids(text: str) -> list[int]:
    """`--stores "A,B"` → their ids, in order, once each ([] for none given)."""
    if not text:
        return []
    labels = [label.strip() for label in text.split(",") if label.strip()]
    if not labels:
        raise CommandError("--stores no nombra ninguna tienda.")
    resolved = stores_resolve(labels, create=False).id_by_label
    unknown = [label for label in labels if label not in resolved]
    if unknown:
        raise CommandError(
            ngettext("Tienda desconocida: %(stores)s.", "Tiendas desconocidas: %(stores)s.", len(unknown))
            % {"stores": ", ".join(unknown)}
        )
    return list(dict.fromkeys(resolved[label] for label in labels))

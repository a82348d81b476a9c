"""`python manage.py bench`: the SPEC §11 figures on the database Django points at."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from benchmarks import run as bench


class Command(BaseCommand):
    help = "Mide las cifras de SPEC §11 (carga macro, piso de carga, runs, redistribución, listas)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--size", choices=sorted(bench.SIZES), default="small")
        parser.add_argument("--json", dest="json_path", default="")
        parser.add_argument("--skip", nargs="*", default=[], choices=bench.STEPS)
        parser.add_argument("--workdir", default="")
        parser.add_argument(
            "--daily-rows", type=int, default=None, help="Filas del archivo macro (por defecto, las del tamaño)."
        )
        parser.add_argument(
            "--top-weeks", type=int, default=bench.top.TOP_WEEKS, help="Semanas de historia de --size top (104)."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help=(
                "Medir de nuevo sobre la historia ya cargada, sin generarla: la de un --size top "
                "o un --replay-dense anterior."
            ),
        )
        parser.add_argument("--reset", action="store_true", help="Vaciar las tablas si ya tienen datos.")
        parser.add_argument(
            "--plans", action="store_true", help="Solo EXPLAIN ANALYZE de las lecturas críticas (datos actuales)."
        )
        parser.add_argument(
            "--replay-dense",
            action="store_true",
            help="Solo el replay a densidad completa: 2.000 SKUs × 150 tiendas, 70 semanas (vacía las ventas).",
        )
        parser.add_argument(
            "--forecast",
            action="store_true",
            help="Solo la línea del pronóstico estacional + backtest (motor, sin base de datos).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        os.environ.setdefault("FASTDSO_JOBS_SYNC", "1")
        if options["plans"]:
            from benchmarks.plans import hot_query_plans

            try:
                hot_query_plans(out=self.stdout.write)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            return
        if options["replay_dense"]:
            from benchmarks.replay_dense import replay_dense

            data = replay_dense(load=not options["reuse"], out=self.stdout.write)
            if options["json_path"]:
                bench.write_json(data, options["json_path"])
            return
        if options["forecast"]:
            data = bench.forecast_only(size=options["size"], out=self.stdout.write)
            if options["json_path"]:
                bench.write_json(data, options["json_path"])
            return
        try:
            data = bench.run(
                size=options["size"],
                workdir=options["workdir"] or None,
                skip=options["skip"],
                reset=options["reset"],
                daily_rows=options["daily_rows"],
                top_weeks=options["top_weeks"],
                reuse=options["reuse"],
                out=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["json_path"]:
            bench.write_json(data, options["json_path"])
            self.stdout.write(f"JSON: {options['json_path']}")

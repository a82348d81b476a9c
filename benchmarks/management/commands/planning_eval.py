"""`python manage.py planning_eval`: the default plans against a scenario's held-out truth (issue 26)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from benchmarks import planning_eval
from benchmarks.scenario import SIZES


class Command(BaseCommand):
    help = (
        "Carga un escenario con verdad reservada (4 semanas), genera la distribución y la redistribución "
        "por defecto con los servicios reales y mide el resultado contra esa verdad (issue 26). "
        "Borra los datos de la base: úsela en una base propia."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--rules", choices=planning_eval.RULES, default="v3")
        parser.add_argument("--seed", type=int, default=planning_eval.DEFAULT_SEED)
        parser.add_argument("--output", default="", help="Archivo JSON con todas las cifras.")
        parser.add_argument("--reset", action="store_true", help="Vaciar las tablas si ya tienen datos.")
        parser.add_argument("--workdir", default="", help="Carpeta para los archivos generados.")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Planificar sobre el escenario ya cargado por un planning_eval anterior (mismo tamaño y semilla).",
        )
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Cambia un parámetro de los planes v3 (distribución o redistribución); repetible.",
        )
        parser.add_argument(
            "--ablate",
            action="store_true",
            help="Planifica v3 otra vez con cada regla devuelta sola a su valor v2 y muestra qué movió cada una.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        os.environ.setdefault("FASTDSO_JOBS_SYNC", "1")
        if not 0 <= options["seed"] < 2**32:
            raise CommandError("--seed debe estar entre 0 y 4294967295.")
        if options["reuse"] and options["reset"]:
            raise CommandError("--reuse y --reset se excluyen.")
        try:
            report = planning_eval.evaluate(
                size=options["size"],
                rules=options["rules"],
                seed=options["seed"],
                reset=options["reset"],
                reuse=options["reuse"],
                workdir=options["workdir"] or None,
                params=options["param"],
                ablate=options["ablate"],
                out=self.stdout.write,
            )
        except (RuntimeError, ValueError, TypeError) as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            planning_eval.write_json(report, options["output"])
            self.stdout.write(f"JSON: {options['output']}")

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

    def handle(self, *args: Any, **options: Any) -> None:
        os.environ.setdefault("FASTDSO_JOBS_SYNC", "1")
        if not 0 <= options["seed"] < 2**32:
            raise CommandError("--seed debe estar entre 0 y 4294967295.")
        try:
            report = planning_eval.evaluate(
                size=options["size"],
                rules=options["rules"],
                seed=options["seed"],
                reset=options["reset"],
                workdir=options["workdir"] or None,
                out=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            planning_eval.write_json(report, options["output"])
            self.stdout.write(f"JSON: {options['output']}")

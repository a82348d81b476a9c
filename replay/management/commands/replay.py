"""replay (--skus FILE | --category NAME | --top-skus N) [--weeks N] [--cd-supply X]
[--as-of DATE] --policy "NAME:key=value,…" [--policy …] [--output FILE]
[--rules v2|v3] [--cd-mode purchase|history] [--supplier-lead-weeks N]  (SPEC §9, §13).

Runs the same job as the web page, synchronously, prints one line per policy
and, with --output, writes the CSV/XLSX (by extension) with the columns
policy, fill_rate, served_units, demand_units, lost_units, stockout_weeks,
avg_cover_weeks, units_shipped, lines_per_week. Bad input exits non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fastdso.commands import command_date, command_number, job_failure, output_path_check, sku_scope_arguments
from fastdso.exports import write_export
from fastdso.jobs import JobInputError, job_start
from fastdso.messages import render_all
from fastdso.models import Job
from replay import jobs as replay_jobs
from replay.models import ReplayRun
from replay.services import ReplayRequest, replay_export_frame, replay_export_record, replay_request_validate


class Command(BaseCommand):
    help = "Replay de políticas de distribución sobre la historia (SPEC §13)."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = sku_scope_arguments(parser)
        scope.add_argument("--top-skus", metavar="N", help="Los N SKUs más vendidos en las semanas del replay.")
        parser.add_argument("--weeks", default="8", help="Semanas simuladas, terminando en la semana de corte (8).")
        parser.add_argument(
            "--cd-supply", default="1.0", help="Lo que recibe el CD × la venta de la semana anterior (1.0)."
        )
        parser.add_argument("--as-of", metavar="DATE", help="Semana de corte; por defecto la última completa.")
        parser.add_argument(
            "--policy",
            action="append",
            default=[],
            metavar="NAME:key=value,…",
            help="Una política (1 a 4); claves = parámetros del generador (SPEC §5.1).",
        )
        parser.add_argument("--output", metavar="FILE", help="FILE.csv o FILE.xlsx")
        parser.add_argument(
            "--rules",
            choices=["v3", "v2"],
            default="v3",
            help="v3: todas las políticas parten del mismo stock y el CD compra; v2: el replay de v2.",
        )
        parser.add_argument(
            "--cd-mode",
            choices=["purchase", "history"],
            default="purchase",
            help="purchase: el CD compra con el pronóstico; history: recibe la venta de la semana anterior.",
        )
        parser.add_argument(
            "--supplier-lead-weeks", default="2", help="Semanas que tarda el proveedor en entregar al CD (2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options.get("output")
        output_path_check(output)
        params: dict[str, Any] = {
            "weeks": command_number(options["weeks"], "--weeks", int),
            "cd_supply": command_number(options["cd_supply"], "--cd-supply", float),
            "as_of": command_date(options["as_of"]).isoformat() if options.get("as_of") else None,
            "policies": options["policy"],
            "rules": options["rules"],
            "cd_mode": options["cd_mode"],
            "supplier_lead_weeks": command_number(options["supplier_lead_weeks"], "--supplier-lead-weeks", int),
        }
        path = None
        if options.get("skus"):
            path = Path(options["skus"])
            if not path.is_file():
                raise CommandError(f"No existe el archivo «{path}».")
            params.update(scope=ReplayRun.Scope.SKUS, input_name=path.name)
        elif options.get("category") is not None:
            params.update(scope=ReplayRun.Scope.CATEGORY, category=options["category"])
        else:
            params.update(scope=ReplayRun.Scope.TOP, top_n=command_number(options["top_skus"], "--top-skus", int))
        try:  # the service's checks, before a job is created
            replay_request_validate(
                ReplayRequest(
                    scope=params["scope"],
                    category=params.get("category", ""),
                    top_n=params.get("top_n", 0),
                    weeks=params["weeks"],
                    cd_supply=params["cd_supply"],
                    policies=tuple(params["policies"]),
                    rules=params["rules"],
                    cd_mode=params["cd_mode"],
                    supplier_lead_weeks=params["supplier_lead_weeks"],
                )
            )
        except JobInputError as exc:
            raise CommandError(str(exc.message)) from None

        job = job_start(kind=replay_jobs.KIND, params=params, path=path, sync=True)
        if job.status != Job.Status.DONE:
            raise job_failure(job)
        run = ReplayRun.objects.get(job=job)
        for warning in render_all(job.warnings):
            self.stderr.write(f"Advertencia: {warning}")
        self._print(run)
        if output:
            frame = replay_export_frame(run)
            write_export(frame, output, text_columns=("policy",))
            replay_export_record(run=run, user=None, fmt=Path(output).suffix.lower().lstrip("."), rows=len(frame))
            self.stdout.write(f"{len(frame)} filas escritas en {output}")

    def _print(self, run: ReplayRun) -> None:
        self.stdout.write(f"Replay {run.replay_id} ({run.get_absolute_url()})")
        self.stdout.write(
            f"{run.scope_label}: {run.sku_count} SKUs · semanas {run.first_week}–{run.as_of_week} ({run.weeks}) · "
            f"cd_supply {run.cd_supply:g}"
        )
        for row in replay_export_frame(run).itertuples(index=False):
            fill = "—" if row.fill_rate != row.fill_rate else f"{row.fill_rate * 100:.1f} %"
            marks = [
                m
                for m, name in (("mejor servicio", run.best_fill_policy), ("menor stock", run.lowest_stock_policy))
                if name == row.policy
            ]
            self.stdout.write(
                f"  {row.policy}: servicio {fill} · vendidas {row.served_units} de {row.demand_units} "
                f"(perdidas {row.lost_units}) · quiebres {row.stockout_weeks} · "
                f"enviadas {row.units_shipped} · líneas/sem {row.lines_per_week:g}"
                + (f"  [{', '.join(marks)}]" if marks else "")
            )

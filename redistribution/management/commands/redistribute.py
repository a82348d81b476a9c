"""python manage.py redistribute --mode auto|manual (--skus FILE | --category NAME)
      --destination STORE|all [--origin STORE] [--top-n N] [--override-qty]
      [--history-weeks N] [--min-woc X] [--target-woc X] [--max-woc X]
      [--max-retain-woc X] [--min-store-stock N] [--min-fill N]
      [--max-rows N] [--max-units-per-sku-per-dest N] [--output FILE]
      [--rules v2|v3] [--min-move-units N] [--min-gain X]      # SPEC v3 §7

Runs the same job as the web form, synchronously; prints the plan id and its
summary; exits non-zero with the reasons on bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from fastdso.commands import command_date, job_failure
from fastdso.exports import write_export
from fastdso.jobs import job_start
from fastdso.messages import render
from fastdso.models import Job
from inventory.services import stores_resolve
from redistribution import engine
from redistribution.engine import RedistParams
from redistribution.jobs import KIND
from redistribution.models import TransferPlan
from redistribution.services import (
    MODE_AUTO,
    MODE_MANUAL,
    PlanRequest,
    plan_export_info,
    plan_lines_frame,
    request_errors,
)

DEFAULTS = RedistParams()


class Command(BaseCommand):
    help = "Planifica traslados entre tiendas (redistribución) y opcionalmente exporta el plan a CSV/XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mode", choices=[MODE_AUTO, MODE_MANUAL], required=True)
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--skus", metavar="FILE", help="Archivo con columna sku (qty opcional).")
        scope.add_argument("--category", metavar="NAME")
        parser.add_argument("--destination", required=True, metavar="STORE|all", help="Tienda (código o nombre) o all.")
        parser.add_argument("--origin", metavar="STORE", help="Tienda donante (modo manual).")
        parser.add_argument("--top-n", type=int, default=DEFAULTS.top_n)
        parser.add_argument("--override-qty", action="store_true", help="La qty del archivo es la necesidad (manual).")
        parser.add_argument("--history-weeks", type=int, default=DEFAULTS.history_weeks)
        parser.add_argument("--min-woc", type=float, default=DEFAULTS.min_woc)
        parser.add_argument("--target-woc", type=float, default=DEFAULTS.target_woc)
        parser.add_argument("--max-woc", type=float, default=DEFAULTS.max_woc)
        parser.add_argument("--max-retain-woc", type=float, default=DEFAULTS.max_retain_woc)
        parser.add_argument("--min-store-stock", type=int, default=DEFAULTS.min_store_stock)
        parser.add_argument("--min-fill", type=int, default=DEFAULTS.min_fill)
        parser.add_argument("--max-rows", type=int, default=DEFAULTS.max_rows)
        parser.add_argument("--max-units-per-sku-per-dest", type=int, default=DEFAULTS.max_units_per_sku_per_dest)
        parser.add_argument("--output", metavar="FILE", help="FILE.csv o FILE.xlsx")
        parser.add_argument(
            "--rules",
            choices=list(engine.RULES),
            default=DEFAULTS.rules,
            help="v3 (por defecto): solo traslados que valen el viaje; v2: las reglas anteriores, exactas.",
        )
        parser.add_argument(
            "--min-move-units",
            type=int,
            default=DEFAULTS.min_move_units,
            help="v3: unidades mínimas de un traslado.",
        )
        parser.add_argument(
            "--min-gain",
            type=float,
            default=DEFAULTS.min_gain,
            help="v3: el destino debe vender al menos X veces lo que vende el donante (salvo urgencia o exceso).",
        )
        # Optional extras beyond SPEC §9 (the contract's flags keep their meaning).
        parser.add_argument("--sku-weight", type=float, default=DEFAULTS.sku_weight)
        parser.add_argument("--max-units", type=int, default=None, help="Tope global de unidades del plan.")
        parser.add_argument("--as-of", type=command_date, default=None, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--eligible-stores", metavar="STORE,STORE…", help="Tiendas que participan (defecto: todas)."
        )
        parser.add_argument(
            "--auto-pick-donors",
            action="store_true",
            help="Con --origin: el origen da primero y otras tiendas completan.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        labels = [options["origin"]] if options["origin"] else []
        destination_label = str(options["destination"]).strip()
        all_stores = destination_label.lower() in ("all", "todas")
        if not all_stores:
            labels.append(destination_label)
        eligible_labels = [s.strip() for s in (options["eligible_stores"] or "").split(",") if s.strip()]
        resolved = stores_resolve([*labels, *eligible_labels], create=False).id_by_label
        unknown = [label for label in [*labels, *eligible_labels] if label.strip() not in resolved]
        if unknown:
            raise CommandError(
                ngettext("Tienda desconocida: %(stores)s", "Tiendas desconocidas: %(stores)s", len(unknown))
                % {"stores": ", ".join(unknown)}
            )
        origin_id = resolved[options["origin"].strip()] if options["origin"] else None
        sku_path = Path(options["skus"]) if options["skus"] else None
        if sku_path is not None and not sku_path.is_file():
            raise CommandError(f"No existe el archivo {sku_path}")
        request = PlanRequest(
            mode=options["mode"],
            scope=engine.SCOPE_SKUS if sku_path else engine.SCOPE_CATEGORY,
            category=options["category"] or "",
            destination_id=None if all_stores else resolved[destination_label],
            origin_id=origin_id,
            # Manual without an origin: the rules pick donors.
            auto_pick_donors=options["auto_pick_donors"] or origin_id is None,
            system_decides=True,
            override_qty=bool(options["override_qty"]),
            eligible_store_ids=tuple(sorted({resolved[s] for s in eligible_labels})) if eligible_labels else None,
            as_of=options["as_of"],
            params=RedistParams(
                history_weeks=options["history_weeks"],
                min_woc=options["min_woc"],
                target_woc=options["target_woc"],
                max_woc=options["max_woc"],
                max_retain_woc=options["max_retain_woc"],
                min_store_stock=options["min_store_stock"],
                min_fill=options["min_fill"],
                sku_weight=options["sku_weight"],
                top_n=options["top_n"],
                max_rows=options["max_rows"],
                max_units_per_sku_per_dest=options["max_units_per_sku_per_dest"],
                max_units=options["max_units"],
                rules=options["rules"],
                min_move_units=options["min_move_units"],
                min_gain=options["min_gain"],
            ),
        )
        if request.mode == MODE_AUTO and (request.origin_id is not None or request.override_qty):
            raise CommandError("--origin y --override-qty son del modo manual (--mode manual).")
        problems = request_errors(request, has_file=sku_path is not None)
        if problems:
            raise CommandError(" ".join(render(p) for p in problems))

        job = job_start(kind=KIND, params={"request": request.to_json()}, path=sku_path, sync=True)
        if job.status != Job.Status.DONE:
            raise job_failure(job)
        plan = TransferPlan.objects.get(job=job)
        for warning in plan.warnings:
            self.stderr.write(f"Advertencia: {render(warning)}")
        summary = plan.summary
        self.stdout.write(
            f"{plan.plan_id}: {summary['moves']} traslados, {summary['units']} unidades, "
            f"{summary['skus_moved']} SKUs, {summary['stores_affected']} tiendas, "
            f"{summary['destinations_short']} destinos aún cortos ({summary['short_units']} u)"
        )
        if options["output"]:
            write_export(
                plan_lines_frame(plan), options["output"], text_columns=("sku", "plan_id"), info=plan_export_info(plan)
            )
            self.stdout.write(f"Plan escrito en {options['output']}")

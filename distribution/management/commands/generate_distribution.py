"""python manage.py generate_distribution REQUEST_FILE [--model SMA1|SMA2|SMA3] [--as-of YYYY-MM-DD]
[--lookback-weeks N] [--min-weeks N] [--target-woc X] [--cold-start-min-fill N]
[--cold-start-target-woc X] [--cold-start-top-n N] [--category-window-weeks N]
[--no-cd-limit] [--cold-start-basis per_sku|category] [--cd-rule priority|fair_share]
[--no-pack-rounding] [--output FILE.csv|FILE.xlsx]
v3: [--rules v2|v3] [--rate-rule in_stock|sma] [--cd-rule priority|fair_share|equal_cover]
[--pack-rule cover_capped|nearest] [--max-pack-woc X] [--launch-weeks N] [--launch-min-rate X]
[--new-store-weeks N] [--promo-rule lift|ignore] [--launch-rule like|category]

--rules v2 puts every rule default back to v2 at once (a rule flag given beside it wins).
The literal v1 rules: --rules v2 --cold-start-basis category --cd-rule priority --no-pack-rounding.

The same job as the web generator, run synchronously (SPEC §9).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from distribution.engine import (
    CD_RULES,
    COLD_START_BASES,
    LAUNCH_RULES,
    MODELS,
    PACK_RULES,
    PROMO_RULES,
    RATE_RULES,
    RULES,
    DistributionParams,
    ParamsError,
)
from distribution.jobs import KIND, summary_for_display
from distribution.models import DistributionRun
from distribution.queries import run_export_frame, run_export_info
from fastdso.audit import audit_record
from fastdso.commands import command_date, job_failure, output_path_check
from fastdso.exports import write_export
from fastdso.jobs import job_start
from fastdso.labels import key_label, value_text
from fastdso.messages import render
from fastdso.models import Job

DEFAULTS = DistributionParams()
RULE_OPTIONS = ("cd_rule", "rate_rule", "pack_rule", "promo_rule", "launch_rule", "launch_weeks", "new_store_weeks")


def iso_date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Fecha inválida «{value}»: use AAAA-MM-DD.") from exc
    return command_date(day.isoformat(), "--as-of")


class Command(BaseCommand):
    help = "Genera un run de distribución CD → tiendas para los SKUs de REQUEST_FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("request_file", metavar="REQUEST_FILE")
        parser.add_argument("--model", choices=sorted(MODELS), default=DEFAULTS.model)
        parser.add_argument("--as-of", type=iso_date, default=None, help="Fecha de corte (AAAA-MM-DD).")
        parser.add_argument("--lookback-weeks", type=int, default=DEFAULTS.lookback_weeks)
        parser.add_argument("--min-weeks", type=int, default=DEFAULTS.min_weeks)
        parser.add_argument("--target-woc", type=float, default=DEFAULTS.target_woc)
        parser.add_argument("--cold-start-min-fill", type=int, default=DEFAULTS.cold_start_min_fill)
        parser.add_argument("--cold-start-target-woc", type=float, default=DEFAULTS.cold_start_target_woc)
        parser.add_argument("--cold-start-top-n", type=int, default=DEFAULTS.cold_start_top_n)
        parser.add_argument("--category-window-weeks", type=int, default=DEFAULTS.category_window_weeks)
        parser.add_argument("--no-cd-limit", action="store_true", help="asignado = sugerido (sin límite por stock CD).")
        parser.add_argument(
            "--cold-start-basis",
            choices=list(COLD_START_BASES),
            default=DEFAULTS.cold_start_basis,
            help="per_sku: venta de un SKU de la categoría (por defecto); category: la categoría entera (v1).",
        )
        parser.add_argument(
            "--cd-rule",
            choices=list(CD_RULES),
            default=None,
            help="equal_cover: estantes vacíos primero y cobertura igual (v3, por defecto); priority: por "
            "prioridad (v2); fair_share: proporcional al sugerido.",
        )
        parser.add_argument(
            "--rules", choices=list(RULES), default=DEFAULTS.rules, help="v3 (por defecto) | v2: todas las reglas v2."
        )
        parser.add_argument("--rate-rule", choices=list(RATE_RULES), default=None, help="in_stock (v3) | sma (v2).")
        parser.add_argument("--pack-rule", choices=list(PACK_RULES), default=None, help="cover_capped (v3) | nearest.")
        parser.add_argument("--max-pack-woc", type=float, default=DEFAULTS.max_pack_woc)
        parser.add_argument("--launch-weeks", type=int, default=None, help="Por defecto 4 (v3), 0 (v2).")
        parser.add_argument("--launch-min-rate", type=float, default=DEFAULTS.launch_min_rate)
        parser.add_argument("--new-store-weeks", type=int, default=None, help="Por defecto 8 (v3), 0 (v2).")
        parser.add_argument("--promo-rule", choices=list(PROMO_RULES), default=None, help="lift (v3) | ignore (v2).")
        parser.add_argument("--launch-rule", choices=list(LAUNCH_RULES), default=None, help="like (v3) | category.")
        parser.add_argument(
            "--no-pack-rounding", action="store_true", help="No redondea a cajas (el CD puede entregar unidades)."
        )
        parser.add_argument("--output", default=None, metavar="FILE.csv|FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(str(options["request_file"]))
        if not path.is_file():
            raise CommandError(f"No existe el archivo «{path}».")
        output = options["output"]
        output_path_check(output)
        try:
            params = DistributionParams(
                model=str(options["model"]),
                lookback_weeks=int(options["lookback_weeks"]),
                min_weeks=int(options["min_weeks"]),
                target_woc=float(options["target_woc"]),
                cold_start_min_fill=int(options["cold_start_min_fill"]),
                cold_start_target_woc=float(options["cold_start_target_woc"]),
                cold_start_top_n=int(options["cold_start_top_n"]),
                category_window_weeks=int(options["category_window_weeks"]),
                cold_start_basis=str(options["cold_start_basis"]),
                limit_by_cd=not options["no_cd_limit"],
                round_to_pack=not options["no_pack_rounding"],
                rules=str(options["rules"]),
                max_pack_woc=float(options["max_pack_woc"]),
                launch_min_rate=float(options["launch_min_rate"]),
                # None: the default of --rules.
                **{name: options[name] for name in RULE_OPTIONS},
            )
        except ParamsError as exc:
            raise CommandError(render(exc.message)) from exc
        as_of = options["as_of"]
        job = job_start(
            kind=KIND,
            path=path,
            params={
                "params": params.as_dict(),
                "as_of": as_of.isoformat() if as_of else None,
                "file_name": path.name,
            },
            sync=True,
        )
        if job.status != Job.Status.DONE:
            raise job_failure(job)
        run = DistributionRun.objects.get(job=job)
        self.stdout.write(self.style.SUCCESS(f"Run {run.run_id}"))
        for code, value in list(summary_for_display(run.run_id, run.summary).items())[1:]:
            self.stdout.write(f"  {key_label(code)}: {value_text(value)}")
        for warning in job.warnings[:20]:
            self.stdout.write(self.style.WARNING(f"  aviso: {render(warning)}"))
        if output:
            frame = run_export_frame(run)
            write_export(frame, str(output), text_columns=("run_id", "sku", "store"), info=run_export_info(run))
            audit_record(
                user=None, action="export", obj=run, details={"file": Path(str(output)).name, "rows": len(frame)}
            )
            self.stdout.write(
                ngettext("  %(n)s fila escrita en %(path)s", "  %(n)s filas escritas en %(path)s", len(frame))
                % {"n": len(frame), "path": output}
            )

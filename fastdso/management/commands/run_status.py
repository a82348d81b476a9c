"""python manage.py run_status RUN_ID approve|export|ship|close|cancel (SPEC §5.7, §9).

Works for distribution runs (DR-…) and transfer plans (TP-…): the same
service as the buttons on their pages. `--format` is the file kept when
marking exported (csv by default); `--output FILE` also writes it there.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fastdso.lifecycle import ACTIONS, EXPORT, EXPORT_FORMATS, TransitionRefused, run_transition, state_label


class Command(BaseCommand):
    help = "Cambia el estado de un run (DR-…) o plan (TP-…): approve, export, ship, close o cancel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", metavar="RUN_ID")
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv", help="Archivo guardado al exportar.")
        parser.add_argument("--output", metavar="FILE", default="", help="Además, escribir ahí el archivo exportado.")
        parser.add_argument("--user", default="", help="Usuario que queda en la auditoría (por defecto, ninguno).")

    def handle(self, *args: object, **options: object) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No existe el usuario «{options['user']}».")
        try:
            result = run_transition(
                run_id=str(options["run_id"]),
                action=str(options["action"]),
                user=user,
                export_format=str(options["format"]),
            )
        except TransitionRefused as exc:
            raise CommandError(str(exc)) from exc
        message = f"{result.object_id}: {state_label(result.from_state)} → {state_label(result.to_state)}"
        if result.action == EXPORT:
            message += f" · archivo guardado ({result.details['format']}, {result.details['bytes']} bytes)"
            if options["output"]:
                with result.obj.export_file.open("rb") as source, open(str(options["output"]), "wb") as target:
                    target.write(source.read())
                message += f" · copia en {options['output']}"
        elif "shipped_units" in result.details:
            message += f" · {result.details['shipped_units']} u despachadas hoy"
        elif "released_units" in result.details:
            message += f" · {result.details['released_units']} u liberadas"
        elif "cd_reserved" in result.details:
            message += f" · {result.details['cd_reserved']} u reservadas en CD"
        self.stdout.write(self.style.SUCCESS(message))

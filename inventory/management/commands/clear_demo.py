"""python manage.py clear_demo

Removes the demo data (seed_demo): every demo store and product with all
their rows, the demo load jobs, and the runs, plans, replays and jobs made on demo
data (with the stock they held). Nothing loaded from real files is touched:
a run or plan that touches a real store or product stays, with its job and
its audit events, and loses only its lines on demo data (its reservation
follows the lines it keeps). Audit events are never deleted.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fastdso.demo_clear import DemoClearRefused, demo_clear


class Command(BaseCommand):
    help = "Borra los datos de demostración (y los runs, planes y tareas hechos con ellos); nada más."

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = demo_clear()
        except DemoClearRefused as exc:
            raise CommandError(str(exc)) from exc
        if not result.total:
            self.stdout.write("No hay datos de demostración.")
            return
        self.stdout.write(self.style.SUCCESS(f"Datos de demostración borrados: {result.total} filas."))
        for label, count in result.deleted.items():
            self.stdout.write(f"  {label}: {count}")
        if result.trimmed:
            self.stdout.write(
                "Runs y planes reales (se quedan, sin sus líneas de demostración): " + ", ".join(result.trimmed)
            )

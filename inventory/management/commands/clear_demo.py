"""python manage.py clear_demo

Removes the demo data (seed_demo): every demo store and product with all
their rows, the demo load jobs, and the runs, plans, replays and jobs made on demo
data (with the stock they held). Nothing loaded from real files is touched.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from inventory.demo import demo_clear


class Command(BaseCommand):
    help = "Borra los datos de demostración (y los runs, planes y tareas hechos con ellos); nada más."

    def handle(self, *args: object, **options: object) -> None:
        result = demo_clear()
        if not result.total:
            self.stdout.write("No hay datos de demostración.")
            return
        self.stdout.write(self.style.SUCCESS(f"Datos de demostración borrados: {result.total} filas."))
        for label, count in result.deleted.items():
            self.stdout.write(f"  {label}: {count}")

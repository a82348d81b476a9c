"""python manage.py seed_demo [--size small|medium|large] [--if-empty] [--users-only]

Loads a realistic demo retailer, marked as demo (`clear_demo` removes it),
and makes sure the demo logins exist.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser

from fastdso import demo
from inventory.demo import demo_flag_refresh
from inventory.models import Product
from sales.demo_load import demo_load


class Command(BaseCommand):
    help = "Carga datos de demostración (tiendas, productos, ventas macro, stock) y crea los usuarios demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--if-empty", action="store_true", help="No cargar si ya hay productos.")
        parser.add_argument("--no-users", action="store_true", help="No crear ni mostrar los usuarios demo.")
        parser.add_argument(
            "--users-only", action="store_true", help="Solo los usuarios (sin datos demo: la base queda vacía)."
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["users_only"]:
            self.stdout.write("Sin datos de demostración (FASTDSO_DEMO=0): cargue sus archivos.")
        elif options["if_empty"] and Product.objects.exists():
            self.stdout.write("La base ya tiene datos: no se cargan datos demo.")
        else:
            data = demo.generate(str(options["size"]), seed=int(str(options["seed"])))
            summary = demo_load(data)
            self.stdout.write(self.style.SUCCESS(f"Datos demo ({options['size']}) cargados: {summary}"))
        demo_flag_refresh()  # the banner's flag, recomputed at every start
        if not options["no_users"]:
            for line in ensure_demo_users():
                self.stdout.write(line)


def ensure_demo_users() -> list[str]:
    """Create (or reset) the demo logins and return how to use them."""
    users = [("planner", "planner", False), ("viewer", "viewer", False), ("admin", "staff", True)]
    lines = ["", "Usuarios demo (contraseñas nuevas en cada arranque):"]
    user_model = get_user_model()
    for username, group, is_staff in users:
        password = secrets.token_urlsafe(9)
        user, _ = user_model.objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        lines.append(f"  {username:8s} / {password}   ({group})")
    return lines

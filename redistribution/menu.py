from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [
    MenuItem(
        "redistribution", _("Nuevo plan de redistribución"), "redistribution:plan_create", order=10, planner_only=True
    ),
    MenuItem("redistribution", _("Planes de redistribución"), "redistribution:plan_list", order=20),
]

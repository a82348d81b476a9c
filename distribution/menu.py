from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [
    MenuItem("distribution", _("Generar distribución"), "distribution:generate", order=10, planner_only=True),
    MenuItem("distribution", _("Runs"), "distribution:run_list", order=20),
    MenuItem("distribution", _("Comparar runs"), "distribution:compare", order=30),
]

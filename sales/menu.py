from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [
    MenuItem("sales", _("Carga de ventas macro"), "sales:macro_upload", order=10, planner_only=True),
    MenuItem("sales", _("Carga de promociones"), "sales:promotion_upload", order=20, planner_only=True),
    MenuItem("sales", _("Carga de ventas (subset)"), "sales:legacy_upload", order=90, planner_only=True),
]

from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [MenuItem("sales", _("Pronóstico de compra"), "forecast:home", order=40)]

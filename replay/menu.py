from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [MenuItem("distribution", _("Replay de políticas"), "replay:home", order=40)]

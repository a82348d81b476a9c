from django.utils.translation import gettext_lazy as _

from fastdso.menu import MenuItem

ITEMS = [
    MenuItem("stock", _("Stock CD"), "inventory:cd_stock", order=10),
    MenuItem("stock", _("Stock tiendas"), "inventory:store_stock", order=20),
    MenuItem("stock", _("Carga de stock CD"), "inventory:cd_stock_upload", order=80, planner_only=True),
    MenuItem("stock", _("Carga de stock de tiendas"), "inventory:store_stock_upload", order=81, planner_only=True),
    MenuItem("stock", _("Carga de productos"), "inventory:product_upload", order=82, planner_only=True),
    MenuItem("stock", _("Carga de tiendas"), "inventory:store_upload", order=83, planner_only=True),
    MenuItem("stock", _("Carga de despachos"), "inventory:shipments_upload", order=84, planner_only=True),
    MenuItem("stock", _("Carga de recepciones"), "inventory:receipts_upload", order=85, planner_only=True),
]

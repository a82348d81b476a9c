"""django-import-export resources and the admin's import format.

SKUs and store codes stay text both ways. Imports in the admin read files
with the project's one reader (fastdso.files): products and stock are not
imported here at all but on their upload pages (the same job as the web
upload and the command); stores, which have no upload page, are imported
through `SpreadsheetFormat`, a format built on that reader.
"""

from __future__ import annotations

from typing import Any

import tablib
from import_export import fields, resources, widgets
from import_export.formats.base_formats import Format

from fastdso.files import read_raw_strings
from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot, store_name_key


class SpreadsheetFormat(Format):
    """CSV (comma or semicolon, any encoding the reader accepts) or XLSX,
    recognised by content and read by fastdso.files: identifiers stay text,
    headers are matched case-insensitively (plus `aliases`)."""

    aliases: dict[str, str] = {}

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding  # unused: the reader recognises the encoding itself

    def get_title(self) -> str:
        return "CSV / XLSX"

    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        frame = read_raw_strings(data)
        headers = [self.aliases.get(h, h) for h in (" ".join(str(c).split()).casefold() for c in frame.columns)]
        return tablib.Dataset(*frame.itertuples(index=False, name=None), headers=headers)

    def get_extension(self) -> str:
        return "csv"

    def get_content_type(self) -> str:
        return "text/csv"

    def can_import(self) -> bool:
        return True


class StoreSpreadsheetFormat(SpreadsheetFormat):
    aliases = {"nombre": "name", "tienda": "name", "store": "name", "código": "code", "codigo": "code"}


class TextWidget(widgets.CharWidget):
    """Identifier cells as text: an XLSX number 12345.0 is the SKU "12345"."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ProductResource(resources.ModelResource):
    sku = fields.Field(attribute="sku", column_name="sku", widget=TextWidget())

    class Meta:
        model = Product
        import_id_fields = ("sku",)
        fields = ("sku", "name", "category", "pack_size", "display_min")
        skip_unchanged = True
        use_bulk = True


class StoreResource(resources.ModelResource):
    """Stores match like in every upload: by code, else by normalised name."""

    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())

    class Meta:
        model = Store
        import_id_fields = ("name",)
        fields = ("name", "code")
        skip_unchanged = True

    def before_import(self, dataset, **kwargs):
        # One query for the whole file, not one per row.
        self._by_code: dict[str, Store] = {}
        self._by_key: dict[str, Store] = {}
        self._names: dict[int, str] = {}
        for store in Store.objects.all():
            self._names[store.pk] = store.name
            if store.code:
                self._by_code[store.code] = store
            self._by_key[store.name_key] = store

    def get_instance(self, instance_loader, row):
        code = str(row.get("code") or "").strip()
        if code and code in self._by_code:
            return self._by_code[code]
        return self._by_key.get(store_name_key(str(row.get("name") or "")))

    def before_save_instance(self, instance, row, **kwargs):
        instance.code = instance.code or None
        stored = self._names.get(instance.pk)
        if stored is not None and store_name_key(stored) == store_name_key(instance.name):
            instance.name = stored  # the same name spelt differently: keep the stored spelling


class CDStockResource(resources.ModelResource):
    sku = fields.Field(attribute="product__sku", column_name="sku", widget=TextWidget(), readonly=True)

    class Meta:
        model = CDStockSnapshot
        fields = ("sku", "units", "snapshot_date")


class StoreStockResource(resources.ModelResource):
    sku = fields.Field(attribute="product__sku", column_name="sku", widget=TextWidget(), readonly=True)
    store = fields.Field(attribute="store__name", column_name="store", readonly=True)

    class Meta:
        model = StoreStockSnapshot
        fields = ("store", "sku", "units", "snapshot_date")

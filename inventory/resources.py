"""django-import-export resources. SKUs and store codes stay text both ways."""

from __future__ import annotations

from import_export import fields, resources, widgets

from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot


class TextWidget(widgets.CharWidget):
    """Identifier cells as text: an XLSX number 12345.0 is the SKU "12345"."""

    def clean(self, value, row=None, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        return "" if value is None else str(value)


class ProductResource(resources.ModelResource):
    sku = fields.Field(attribute="sku", column_name="sku", widget=TextWidget())

    class Meta:
        model = Product
        import_id_fields = ("sku",)
        fields = ("sku", "name", "category")
        skip_unchanged = True
        use_bulk = True


class StoreResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())

    class Meta:
        model = Store
        import_id_fields = ("name",)
        fields = ("name", "code")
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
        instance.code = instance.code or None


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

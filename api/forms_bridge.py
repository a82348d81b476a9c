"""The API's input is the web form's input: one validation path.

`form_serializer(FormClass, ...)` builds a DRF serializer from a Django form's
fields (types, ranges, choices, defaults, help texts), so the OpenAPI schema
shows every parameter the form has — a field added to the form appears in the
API at once. Validation itself is the form's: the serializer fills the
defaults, then `form_validate` runs the form (and through it the service's
checks) and turns its errors into a 400 that names the API field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers

MAX_ID = 2**63 - 1  # ids are bigint: a larger number names nothing and would overflow the query
# The form fields whose API name differs (form name → API name).
Renames = dict[str, str]


def _common(field: forms.Field) -> dict[str, Any]:
    # Kept lazy: the schema renders it in its own language (api.views.SchemaView).
    kwargs: dict[str, Any] = {"help_text": field.help_text or field.label or None}
    initial = field.initial
    if initial is not None and not isinstance(field, forms.FileField):
        kwargs["required"] = False
        kwargs["default"] = initial
    elif not field.required:
        kwargs["required"] = False
        kwargs["allow_null"] = True
    return kwargs


def _limits(field: forms.Field) -> dict[str, Any]:
    return {key: getattr(field, key) for key in ("min_value", "max_value") if getattr(field, key, None) is not None}


def serializer_field(field: forms.Field) -> serializers.Field:
    """The DRF field that accepts what `field` accepts (its checks stay the form's)."""
    kwargs = _common(field)
    if isinstance(field, forms.ModelMultipleChoiceField):
        kwargs.pop("allow_null", None)
        return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
    if isinstance(field, forms.FileField):
        kwargs.pop("allow_null", None)
        return serializers.FileField(**kwargs)
    if isinstance(field, forms.BooleanField):
        kwargs.pop("allow_null", None)
        kwargs.setdefault("default", False)
        kwargs["required"] = False
        return serializers.BooleanField(**kwargs)
    if isinstance(field, forms.FloatField):  # before IntegerField: a FloatField is one
        return serializers.FloatField(**kwargs, **_limits(field))
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**kwargs, **_limits(field))
    if isinstance(field, forms.DateField):
        return serializers.DateField(**kwargs)
    if isinstance(field, forms.ChoiceField) and list(field.choices):
        choices = [value for value, _label in field.choices if value != ""]
        if not field.required:
            kwargs["allow_blank"] = True
        return serializers.ChoiceField(choices=choices, **kwargs)
    kwargs["allow_blank"] = not field.required
    return serializers.CharField(**kwargs)


def form_serializer(
    form_class: type[forms.Form], *, name: str, renames: Renames | None = None, exclude: tuple[str, ...] = ()
) -> type[serializers.Serializer]:
    """A serializer class named `name` with one field per form field (renamed, some excluded)."""
    renames = renames or {}
    attrs: dict[str, Any] = {}
    for form_name, field in form_class.base_fields.items():
        if form_name in exclude:
            continue
        attrs[renames.get(form_name, form_name)] = serializer_field(field)
    attrs["form_class"] = form_class
    attrs["renames"] = renames
    return type(name, (FormSerializer,), attrs)


class FormSerializer(serializers.Serializer):
    """Refuses parameters it does not know: a misspelt planning parameter
    ("target_wok") must not fall back silently to its default."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(getattr(data, "keys", dict)()) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Parámetro desconocido.")] for name in unknown})
        return super().to_internal_value(data)


def form_validate(serializer: serializers.Serializer) -> forms.Form:
    """Run the web form on the serializer's validated data; a 400 naming the API field if it refuses."""
    form_class: type[forms.Form] = serializer.form_class
    renames: Renames = serializer.renames
    back = {api: form for form, api in renames.items()}
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for api_name, value in serializer.validated_data.items():
        form_name = back.get(api_name, api_name)
        if value is None:
            continue
        if isinstance(form_class.base_fields.get(form_name), forms.FileField):
            files[form_name] = value
        else:
            data[form_name] = value
    form = form_class(data=data, files=files)
    if not form.is_valid():
        raise serializers.ValidationError(
            {
                ("non_field_errors" if name == "__all__" else renames.get(name, name)): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    return form

"""The profile page: a planner's (or staff's) API tokens — make one (its key
is shown once), revoke one or all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from api.queries import user_tokens
from api.services import api_token_create, api_token_revoke
from fastdso.roles import can_plan


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nombre del token"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Para reconocerlo después, p. ej. «ERP» o «WMS»."),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "ERP"}),
    )


class ProfileView(View):
    template_name = "api/profile.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        # Viewers never get here (fastdso.middleware.ReadOnlyForViewersMiddleware answers 403).
        if "revoke" in request.POST:
            token_id = request.POST.get("revoke") or ""
            count = api_token_revoke(user=request.user, token_ids=[int(token_id)] if token_id.isdigit() else None)
            messages.info(request, _("Tokens revocados: %(n)d.") % {"n": count})
            return redirect("api:profile")
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        _token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        # Shown once, in this response only: it is stored hashed.
        return self._render(request, TokenForm(), new_key=key)

    def _render(self, request: HttpRequest, form: TokenForm, status: int = 200, **extra: Any) -> HttpResponse:
        context = {
            "form": form,
            "tokens": user_tokens(request.user),
            "can_plan": can_plan(request.user),
            **extra,
        }
        return render(request, self.template_name, context, status=status)

"""The staff button that removes the demo data (the same service as `clear_demo`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from fastdso.demo_clear import DemoClearRefused, demo_clear


class DemoClearView(UserPassesTestMixin, View):
    http_method_names = ["post"]
    raise_exception = True  # 403 for non-staff

    def test_func(self) -> bool:
        return bool(self.request.user.is_staff)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            result = demo_clear(user=request.user)
        except DemoClearRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("home"))
        if result.total:
            messages.success(request, _("Datos de demostración borrados (%(rows)s filas).") % {"rows": result.total})
        else:
            messages.info(request, _("No hay datos de demostración."))
        return HttpResponseRedirect(reverse("home"))

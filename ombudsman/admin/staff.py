"""Ombudsman staff in the admin: the list and change form (the superuser sets anyone's
language there; the ombudsman group may not change staff rows), and "My language" — every
staff member's own language, linked from the user tools of every admin page. Only the
signed-in person's own preference can change there."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from finplatform.forms import OwnLanguageForm
from finplatform.signin import use_language
from resolution.models import OmbudsmanStaff
from resolution.services.staff_access import set_ombudsman_staff_language

MSG_SAVED = _("Your language is saved.")


@admin.register(OmbudsmanStaff)
class OmbudsmanStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "ombudsman", "preferred_language"]
    list_filter = ["ombudsman", "preferred_language"]

    def get_urls(self):
        return [
            path(
                "my-language/",
                self.admin_site.admin_view(self.my_language_view),
                name="my_language",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    def my_language_view(self, request):
        staff = OmbudsmanStaff.objects.filter(user=request.user).first()
        if staff is None:  # a superuser without a staff profile has no language here
            raise Http404
        form = OwnLanguageForm(request.POST or None,
                               initial={"language": staff.preferred_language})  # fmt: skip
        if request.method == "POST" and form.is_valid():
            staff = set_ombudsman_staff_language(
                user=request.user, language=form.cleaned_data["language"]
            )
            response = redirect("admin:my_language")
            use_language(response, staff.preferred_language)
            messages.success(request, MSG_SAVED)
            return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("My language"), "form": form}  # fmt: skip
        return TemplateResponse(request, "admin/resolution/ombudsmanstaff/my_language.html",
                                context, status=400 if form.is_bound else 200)  # fmt: skip

"""Every admin screen. Django's admin autodiscovery imports `ombudsman.admin`; importing the
submodules here registers their ModelAdmins with the admin site, branded for the
ombudsman's staff in their language."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ombudsman.admin import (  # noqa: F401
    borrowers,
    cases,
    changes,
    creditors,
    endings,
    fraud,
    help,
    ledger,
    planlife,
    platform,
    review,
    staff,
    variations,
)

admin.site.site_header = _("Finkelisim · ombudsman's office")
admin.site.site_title = "Finkelisim"
admin.site.index_title = _("Cases, complaints and payments")

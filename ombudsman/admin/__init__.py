"""Every admin screen. Django's admin autodiscovery imports `ombudsman.admin`; importing the
submodules here registers their ModelAdmins with the admin site."""

from ombudsman.admin import (  # noqa: F401
    borrowers,
    cases,
    creditors,
    endings,
    help,
    ledger,
    platform,
    review,
)

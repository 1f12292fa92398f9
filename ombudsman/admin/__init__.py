"""Every admin screen. Django's admin autodiscovery imports `ombudsman.admin`; importing the
submodules here registers their ModelAdmins with the admin site."""

from ombudsman.admin import borrowers, cases, creditors, ledger, platform, review  # noqa: F401

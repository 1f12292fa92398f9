"""The three roles and the groups behind them.

A user has exactly one role, decided by which profile they have: a `Borrower`, a
`CreditorStaff` (tied to one organisation) or an `OmbudsmanStaff` (tied to one ombudsman,
`is_staff` for the admin). Groups carry the model permissions; scoping to one's own borrower
or organisation is done by the selectors, never by permissions alone.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

BORROWER = "borrower"
CREDITOR_STAFF = "creditor_staff"
OMBUDSMAN_STAFF = "ombudsman_staff"
# Added to OMBUDSMAN_STAFF for the senior role: every queue, each look audited.
OMBUDSMAN_SENIOR = "ombudsman_senior"

# group -> {app_label: [model permissions codenames]}
GROUP_PERMISSIONS: dict[str, dict[str, list[str]]] = {
    BORROWER: {},
    CREDITOR_STAFF: {},
    OMBUDSMAN_STAFF: {
        "borrowers": [
            "view_borrower",
            "view_helprequest",
            "view_complaint",
            "change_complaint",
            "view_complaintmessage",
            "view_consenttext",
            "view_consentacceptance",
        ],  # fmt: skip
        "creditors": ["view_creditor", "view_loan", "view_creditorstaff"],
        "resolution": [
            "view_case",
            "change_case",
            "view_caseloan",
            "change_caseloan",
            "view_casetransition",
            "view_eligibilitycheck",
            "view_ruleoutcome",
            "view_fraudflag",
            "view_fraudflagevent",
            "view_eligibilitypolicy",
            "add_eligibilitypolicy",
            "view_variation",
            "change_variation",
            "view_variationobjection",
        ],  # fmt: skip
        "bureau_gateway": ["view_bureauexchange"],
        "schedules": [
            "view_scheduletableversion",
            "add_scheduletableversion",
            "change_scheduletableversion",
            "view_schedulebracket",
            "add_schedulebracket",
            "change_schedulebracket",
            "delete_schedulebracket",
            "view_plan",
            "view_collectionresumption",
            "view_incomingpayment",
            "view_claimtransfer",
            "view_plantermination",
            "view_payoffquote",
            "view_refunddetails",
            "view_refundpayout",  # prepare/approve go through services (admin actions)
            "view_scheduleversion",
        ],  # fmt: skip
    },
    OMBUDSMAN_SENIOR: {
        "resolution": ["view_all_queues", "view_staffqueueaccess", "view_documentread"],
    },
}


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    if hasattr(user, "borrower"):
        return BORROWER
    if hasattr(user, "creditor_staff"):
        return CREDITOR_STAFF
    if hasattr(user, "ombudsman_staff") or user.is_superuser:
        return OMBUDSMAN_STAFF
    return None


def ensure_groups(**kwargs) -> None:
    """post_migrate hook: create the role groups and give them their permissions."""
    for group_name, by_app in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = [
            Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            for app, codenames in by_app.items()
            for codename in codenames
        ]
        group.permissions.add(*[p for p in wanted if p is not None])

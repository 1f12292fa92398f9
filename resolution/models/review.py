"""The ombudsman's review queue in the admin (a proxy of Case)."""

from django.utils.translation import gettext_lazy as _

from resolution.models.case import Case


class ReviewQueueCase(Case):
    """The ombudsman's queue in the admin: the same cases, filtered to those waiting for
    creditors or for the ombudsman's decision."""

    class Meta:
        proxy = True
        verbose_name = _("case in the review queue")
        verbose_name_plural = _("review queue")


class BreachedCase(Case):
    """The ombudsman's queue of breached procedures (over 40 days late): who is owed what,
    since when, and the case's timeline."""

    class Meta:
        proxy = True
        verbose_name = _("breached case")
        verbose_name_plural = _("breached cases")

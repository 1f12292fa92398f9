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

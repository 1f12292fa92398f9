"""What every admin screen of a domain model starts from.

- `ServiceOnlyAdmin`: view only. A case's category, income, ombudsman, a plan, a payment or
  a ledger row changes only through the domain services, which lock the rows and write the
  audit trail; the admin's change form would do neither. The few screens that stay editable
  (reference data: schedule table versions, eligibility policy versions, the calendar,
  payment providers, creditors, staff assignments) are listed in the test that checks this.
- `QueueScoped`: the rows of one ombudsman's queue. A staff member sees their own queue's
  personal data; a senior (`resolution.view_all_queues`, or a superuser) sees all, and every
  page that shows a senior another queue's rows writes a `StaffQueueAccess` audit row.
- `record_admin_read`: every stored document the admin hands out writes a `DocumentRead` row.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower
from bureau_gateway.models import subject_hash
from resolution.models import Case, CaseLoan, ReadChannel, ReadDocumentKind
from resolution.selectors.ombudsman import is_senior, own_queue
from resolution.services.document_reads import record_document_read
from resolution.services.staff_access import record_queue_access


class ServiceOnlyAdmin(admin.ModelAdmin):
    """View, never add, change or delete: the services are the only writers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def record_admin_read(request, *, kind: ReadDocumentKind, document_id, case_id) -> None:
    """A document download from the admin, after the queue-scoped read found it."""
    record_document_read(channel=ReadChannel.OMBUDSMAN_ADMIN, kind=kind, document_id=document_id,
                         case_id=case_id, user=request.user)  # fmt: skip


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- one queue's rows, per model ------------------------------------------------------------


def queue_cases(queue: str):
    return Case.objects.filter(ombudsman=queue)


def queue_borrower_ids(queue: str):
    return queue_cases(queue).values("borrower_id")


def queue_loan_ids(queue: str):
    return CaseLoan.objects.filter(case__ombudsman=queue).values("loan_id")


def queue_case_references(queue: str):
    return queue_cases(queue).values("reference")


def queue_subject_hashes(queue: str) -> list[str]:
    # The exchange log keeps a keyed hash of the IIN, not the IIN: hash the queue's IINs.
    iins = Borrower.objects.filter(pk__in=queue_borrower_ids(queue)).values_list("iin", flat=True)
    return [subject_hash(iin) for iin in iins]


class QueueScoped:
    """Mixed in before the ModelAdmin: `queue_filter(queue)` says which rows belong to one
    ombudsman's queue; rows of no queue (a borrower without a case, a suspense payment
    naming no known case) are seen by seniors only."""

    def queue_filter(self, queue: str) -> Q:
        raise NotImplementedError

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_senior(request.user):
            return qs
        queue = own_queue(request.user)
        return qs.filter(self.queue_filter(queue)) if queue else qs.none()

    def audit_outside_queue(self, request, pks) -> None:
        """A senior was shown `pks`: record those outside their own queue, if any."""
        if not pks or not is_senior(request.user):
            return
        queue = own_queue(request.user)
        inside = set()
        if queue:
            rows = self.model._default_manager.filter(self.queue_filter(queue), pk__in=pks)
            inside = set(rows.values_list("pk", flat=True))
        outside = [pk for pk in pks if pk not in inside]
        if outside:
            record_queue_access(
                user=request.user, model=self.model._meta.label, object_ids=outside,
                path=request.get_full_path(),
            )  # fmt: skip

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self.audit_outside_queue(request, [obj.pk])
        return obj

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self.audit_outside_queue(request, [row.pk for row in changelist.result_list])
        return response


class CaseColumns:
    """Columns of the case lists with translated headings (Case.borrower and created_at carry
    no verbose name, so Django headed them "BORROWER", "CREATED AT" in every language)."""

    @admin.display(description=_("borrower"), ordering="borrower__full_name")
    def borrower_name(self, obj):
        return obj.borrower.full_name

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj):
        return obj.created_at


class CaseQueueProxy(CaseColumns):
    """A read-only queue over a proxy of Case (the review queue, the breached cases): the proxy
    has no permissions of its own, so the case's view permission applies, and nothing is added,
    changed or deleted from the queue (decisions go through the review page's services)."""

    def has_module_permission(self, request):
        return request.user.has_perm("resolution.view_case")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("resolution.view_case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

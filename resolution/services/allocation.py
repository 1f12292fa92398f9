"""Allocation of each creditor's part of each payment to overdue principal, overdue interest,
penalty, current principal, current interest (MFO rules; the engine is
`schedules.allocation`), recorded in `schedules.PartAllocation` AFTER booking.

Why after: booking is the hot path and its SQL is tuned on its own; the split inside a part
depends only on what the share had received before it and on the confirmed components of its
loans, so it can be computed later, set-based, and the same answer comes out.

`allocate_pending_parts` is the periodic job (beat `resolution.allocate_parts`): one query
finds every part (payment, payment after completion, reversal or release leg on a creditor's
payable or a held account) that has no allocation yet, the components and what each share already
had allocated are read in bulk, and all rows are written with one bulk insert. Idempotent:
a transaction-level advisory lock serialises runs and the pending query runs under it; the
unique constraint on (transaction, share, loan, component) is the last guard. A worker that
was down catches up on its next run (no part is skipped: "pending" is a database question).

Each run reads only what is new, through the index on `LedgerTransaction.xact_id` (the id of
the database transaction that wrote it): the window from `AllocationProgress.below_xact_id`
up to the oldest transaction still open anywhere (`pg_snapshot_xmin`). A transaction that
commits late has an id below that horizon until it ends, so it is in a later window, never
skipped (a watermark on time or on a sequence would pass over it); NOT EXISTS keeps a window
read twice (a full batch, a repeat) from allocating anything twice. The cost: a transaction
left open for long (anywhere in the cluster) holds allocation back until it ends.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Sum

from finplatform.clock import business_now
from finplatform.locks import lock_keys
from resolution.models import CaseLoan, DebtConfirmation
from schedules import allocation as engine
from schedules.models import AllocationProgress, CreditorShare, PartAllocation, ShareHold

BATCH = 5000

# Parts not yet allocated among the ledger transactions of the window (`fresh`, by the
# index on xact_id; see the module docstring): the signed sum of a transaction's legs per
# share, for payments, payments after completion, reversals and releases (a decided dispute:
# the held share gives its money back — a negative part that unwinds its allocation — and
# the creditor's regular share, or the others', receive it as a positive part). A payable
# leg belongs to the creditor's regular share of the transaction's plan; a held leg to the
# held account's share.
PENDING_SQL = """
WITH fresh AS MATERIALIZED (
    SELECT t.id, t.plan_id, t.created_at, t.booked_on FROM schedules_ledgertransaction t
    WHERE ((t.xact_id >= %(since)s AND t.xact_id < %(below)s) OR t.xact_id = %(own)s)
      AND t.plan_id IS NOT NULL AND t.kind IN ('payment', 'refund', 'reversal', 'release')
), legs AS (
    SELECT t.id AS tx_id, t.created_at, t.booked_on,
           CASE WHEN a.kind = 'held' THEN a.share_id ELSE (
               SELECT s.id FROM schedules_creditorshare s
               WHERE s.plan_id = t.plan_id AND s.creditor_id = a.creditor_id
                 AND s.case_loan_id IS NULL) END AS share_id,
           CASE WHEN e.side = 'C' THEN e.amount_tiyn ELSE -e.amount_tiyn END AS signed
    FROM fresh t
    -- OFFSET 0 keeps the legs a lookup per new transaction (by index), never a scan of all
    CROSS JOIN LATERAL (SELECT e.side, e.amount_tiyn, e.account_id FROM schedules_ledgerentry e
                        WHERE e.transaction_id = t.id OFFSET 0) e
    JOIN schedules_account a ON a.id = e.account_id
    WHERE a.kind IN ('creditor_payable', 'held')
)
SELECT tx_id, share_id, min(booked_on), sum(signed)
FROM legs
WHERE share_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM schedules_partallocation p
    WHERE p.transaction_id = legs.tx_id AND p.share_id = legs.share_id)
GROUP BY tx_id, share_id
HAVING sum(signed) <> 0
ORDER BY min(created_at), tx_id, share_id
LIMIT %(batch)s
"""

# Every database transaction below `below` has ended (committed or rolled back), so every
# ledger transaction it wrote is visible now or never will be; `own` is this transaction's id
# (only a test books and allocates in one transaction).
HORIZON_SQL = """
SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
       pg_current_xact_id_if_assigned()::text::bigint
"""


def _latest_confirmations(loan_ids) -> dict:
    """The latest answer with figures per loan (a decision on a dispute carries a total only;
    the figures then come from the creditor's last answer or the bureau's)."""
    latest = {}
    rows = DebtConfirmation.objects.filter(
        case_loan_id__in=loan_ids, principal_tiyn__isnull=False
    ).order_by("at", "pk")
    for row in rows:
        latest[row.case_loan_id] = row
    return latest


def _components_of(case_loan: CaseLoan, confirmation, total: int) -> list[engine.Component]:
    source = confirmation or case_loan
    prefix = "" if confirmation else "bureau_"
    return engine.loan_components(
        loan=str(case_loan.pk),
        total_tiyn=total,
        principal_tiyn=getattr(source, f"{prefix}principal_tiyn"),
        interest_tiyn=getattr(source, f"{prefix}interest_tiyn"),
        penalty_tiyn=getattr(source, f"{prefix}penalty_tiyn"),
        overdue_principal_tiyn=getattr(confirmation, "overdue_principal_tiyn", None),
        overdue_interest_tiyn=getattr(confirmation, "overdue_interest_tiyn", None),
        overdue_by_default=case_loan.loan.overdue_days > 0,
    )


def share_components(shares: list[CreditorShare]) -> dict[int, list[engine.Component]]:
    """For each share its components. A held share is its one disputed loan at its
    provisional figure; a regular share is the creditor's confirmed loans in the case without
    a share of their own, plus a disputed loan later included (its held share gave its money
    back to this one in the release). Loans in the order they were opened."""
    out = {}
    by_case = defaultdict(list)
    for share in shares:
        by_case[share.plan.case_id].append(share)
    loans = list(
        CaseLoan.objects.filter(case_id__in=by_case, included=True)
        .select_related("loan", "plan_share")
        .order_by("loan__opened_on", "loan__contract_number", "pk")
    )
    confirmations = _latest_confirmations([cl.pk for cl in loans])
    for share in shares:
        if share.case_loan_id is not None:
            cl = next((c for c in loans if c.pk == share.case_loan_id), None)
            comps = [] if cl is None else _components_of(cl, confirmations.get(cl.pk),
                                                          share.provisional_tiyn or 0)  # fmt: skip
            out[share.pk] = comps
            continue
        comps = []
        for cl in loans:
            if cl.case_id != share.plan.case_id or cl.creditor_id != share.creditor_id:
                continue
            own = getattr(cl, "plan_share", None)
            if own is not None and own.hold != ShareHold.INCLUDED:
                continue
            if cl.confirmed_total_tiyn:
                comps += _components_of(cl, confirmations.get(cl.pk), cl.confirmed_total_tiyn)
        out[share.pk] = comps
    return out


def _already(share_ids) -> dict[int, dict]:
    totals: dict = defaultdict(lambda: defaultdict(int))
    rows = (
        PartAllocation.objects.filter(share_id__in=share_ids)
        .values_list("share_id", "case_loan_id", "component")
        .order_by()
        .annotate(total=Sum("amount_tiyn"))
    )
    for share_id, loan_id, component, total in rows:
        totals[share_id][(str(loan_id) if loan_id else "", component)] += total
    return totals


@transaction.atomic
def allocate_pending_parts(*, batch: int = BATCH) -> int:
    """Allocate every part not yet allocated (up to `batch` parts); returns how many parts
    were allocated. Each part's rows sum exactly to the part; over a plan paid in full a
    share's rows sum to its confirmed components."""
    lock_keys("part-allocation", ["all"])
    progress, _ = AllocationProgress.objects.get_or_create(pk=1)
    with connection.cursor() as cursor:
        cursor.execute(HORIZON_SQL)
        below, own = cursor.fetchone()
        cursor.execute(PENDING_SQL, {"since": progress.below_xact_id, "below": below,
                                     "own": own, "batch": batch})  # fmt: skip
        pending = cursor.fetchall()
    if len(pending) < batch and below > progress.below_xact_id:
        # the window is drained: the next run starts where this one's horizon was
        progress.below_xact_id, progress.updated_at = below, business_now()
        progress.save(update_fields=["below_xact_id", "updated_at"])
    if not pending:
        return 0
    shares = {
        s.pk: s
        for s in CreditorShare.objects.filter(pk__in={row[1] for row in pending}).select_related(
            "plan"
        )
    }
    components = share_components(list(shares.values()))
    already = _already(components)
    now, rows = business_now(), []
    for tx_id, share_id, booked_on, part in pending:
        split = engine.allocate_part(components[share_id], already[share_id], int(part))
        for (loan, kind), amount in split.items():
            already[share_id][(loan, kind)] += amount
            rows.append(PartAllocation(
                transaction_id=tx_id, share_id=share_id, case_loan_id=loan or None,
                component=kind, amount_tiyn=amount, booked_on=booked_on, created_at=now,
            ))  # fmt: skip
    PartAllocation.objects.bulk_create(rows)
    return len(pending)

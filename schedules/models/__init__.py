"""Schedules and the ledger.

Design, in short:

* The schedule table (SPEC §3) is data: a `ScheduleTableVersion` owns `ScheduleBracket` rows.
  A version that a plan uses is frozen (the admin refuses edits); a change is a new version.
* A `Plan` is the unified schedule of one case, fixed at signing: the creditors' debts
  (`CreditorShare`), the contracted `Instalment`s and each instalment's expected split
  (`InstalmentPart`). These rows never change after creation. What has been paid is *derived*
  by replaying the plan's payments (`schedules.engine.replay`), not stored on instalments.
* The ledger is double-entry in PostgreSQL: `LedgerTransaction` with `LedgerEntry` legs, each a
  positive integer of tiyn with a side (debit `D` / credit `C`). The database enforces (see
  migration 0003): legs of a transaction balance (sum of debits = sum of credits, a DEFERRABLE
  INITIALLY DEFERRED constraint trigger checked at COMMIT), legs and transactions are never
  updated or deleted, amounts are positive integers. Corrections are reversing transactions.
* A claim sold to another creditor (`ClaimTransfer`) and a plan ended by the ombudsman
  (`PlanTermination`) take effect on a second person's approval (`changes.py`).
* Every incoming payment is an `IncomingPayment` row, unique per (source, idempotency_key).
* `CreditorShare.received_tiyn` and `Plan.paid_tiyn` are caches of the ledger kept for speed
  under the plan's row lock; `reconcile` checks them against the legs.
"""

# Django looks the models up here; each lives in the module of its topic.
from schedules.models.allocation import AllocationComponent, AllocationProgress, PartAllocation
from schedules.models.changes import (
    ChangeStatus,
    ClaimTransfer,
    PlanTermination,
    RecordedVia,
    TerminationReason,
)
from schedules.models.ledger import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    Side,
    TransactionKind,
)
from schedules.models.payments import (
    IncomingPayment,
    PaymentProvider,
    PaymentStatus,
    Payout,
    hash_api_key,
)
from schedules.models.payoff import PayoffQuote
from schedules.models.plan import (
    CollectionResumption,
    CreditorShare,
    Instalment,
    InstalmentPart,
    Plan,
    PlanAdjustment,
    PlanStatus,
    ShareHold,
)
from schedules.models.refunds import (
    RefundDetails,
    RefundDetailsStatus,
    RefundPayout,
    RefundStatus,
)
from schedules.models.table import Category, ScheduleBracket, ScheduleTableVersion
from schedules.models.versions import ScheduleVersion, VersionInstalment, VersionKind

__all__ = [
    "Account",
    "AccountKind",
    "AllocationComponent",
    "AllocationProgress",
    "Category",
    "ChangeStatus",
    "ClaimTransfer",
    "CollectionResumption",
    "CreditorShare",
    "IncomingPayment",
    "Instalment",
    "InstalmentPart",
    "LedgerEntry",
    "LedgerTransaction",
    "PartAllocation",
    "PaymentProvider",
    "PaymentStatus",
    "PayoffQuote",
    "Payout",
    "Plan",
    "PlanAdjustment",
    "PlanStatus",
    "PlanTermination",
    "RecordedVia",
    "RefundDetails",
    "RefundDetailsStatus",
    "RefundPayout",
    "RefundStatus",
    "ScheduleBracket",
    "ScheduleTableVersion",
    "ScheduleVersion",
    "ShareHold",
    "Side",
    "TerminationReason",
    "TransactionKind",
    "VersionInstalment",
    "VersionKind",
    "hash_api_key",
]

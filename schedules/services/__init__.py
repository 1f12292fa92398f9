"""What other apps may do to schedules and the ledger, one module per topic: `plans` (terms
and the plan fixed at signing), `payments` (money in, reversals, suspense), `sweeps` (the
daily breach sweep), `payouts` (money out) and `holds` (a disputed loan decided after
signing). Every service is keyword-only, runs in one database transaction and says in its
docstring what it guarantees. Import a service from its module."""

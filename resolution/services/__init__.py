"""What the workflow does: one module per topic. Follow-ups go through the outbox by task name."""

"""Rule families, one module each; see ``service.decision.table`` for the full table."""

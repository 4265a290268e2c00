"""Events out: the transactional outbox of case events, signed webhooks, the worker."""

"""Limits answered before any SQL: a query's calculated cost and each token's bucket."""

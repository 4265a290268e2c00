"""Data access: every query the service makes lives in this package."""

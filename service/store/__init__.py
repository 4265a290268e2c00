"""Data access: every query the service makes lives in this package."""

# Every session's writes keep the stored case states current (see case_state).
from service.store import case_state as _case_state  # noqa: F401

"""aftersales: the after-sales decision service."""

"""Per-workflow glue: service-task handlers and the helpers timer expressions call."""

"""Use cases. Each runs in one unit of work and raises only typed errors (engine.errors)."""

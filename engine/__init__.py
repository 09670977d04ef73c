"""slaflow engine: the framework-free core (BPMN, runtime, persistence, use cases)."""

"""BPMN: hardened loading of untrusted files, lint, and parsing into SpiffWorkflow specs."""
from .loader import load_bpmn
from .lint import lint_document
from .problems import Problem

__all__ = ["load_bpmn", "lint_document", "Problem"]

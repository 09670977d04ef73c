"""BPMN: hardened loading of untrusted files, lint, and parsing into SpiffWorkflow specs."""
from .lint import lint_document
from .loader import load_bpmn
from .problems import Problem

__all__ = ["load_bpmn", "lint_document", "Problem"]

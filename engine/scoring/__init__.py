"""KPI schemes as data, and the scores they give (exact decimals, with the working of each line)."""
from .calculator import score
from .schemes import Scheme, load_scheme, parse_scheme

__all__ = ["Scheme", "load_scheme", "parse_scheme", "score"]

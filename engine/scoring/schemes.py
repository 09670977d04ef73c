"""KPI scheme files (JSON or YAML), validated by scheme.schema.json and by the rules a schema cannot say."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from .. import reporting

SCHEMA_PATH = Path(__file__).with_name("scheme.schema.json")


class SchemeInvalid(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Scheme:
    data: dict

    @property
    def code(self) -> str:
        return self.data["code"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def fiscal_year(self) -> int:
        return self.data["fiscal_year"]

    @property
    def indicators(self) -> list[dict]:
        return self.data["indicators"]


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def parse_scheme(text: str | bytes, filename: str = "scheme.json") -> Scheme:
    """Parse and validate a scheme; SchemeInvalid lists every problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise SchemeInvalid(["the file is not UTF-8 text"]) from None
    if len(text) > 500_000:
        raise SchemeInvalid(["the file is too large"])
    try:
        data = yaml.safe_load(text) if filename.endswith((".yaml", ".yml")) else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SchemeInvalid([f"cannot read the file: {str(exc).splitlines()[0]}"]) from None
    errors = [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
              for e in _validator().iter_errors(data)]
    if errors:
        raise SchemeInvalid(errors[:50])
    errors = _semantic_errors(data)
    if errors:
        raise SchemeInvalid(errors)
    return Scheme(data)


def _semantic_errors(data: dict) -> list[str]:
    errors = []
    codes = [i["code"] for i in data["indicators"]]
    if len(codes) != len(set(codes)):
        errors.append("indicator codes must be unique")
    dims = {d["code"] for d in data.get("dimensions", [])}
    for ind in data["indicators"]:
        crit = ind["criteria"]
        where = f"indicator {ind['code']}"
        if dims and ind.get("dimension") not in dims:
            errors.append(f"{where}: its dimension must be one of {sorted(dims)}")
        if crit["type"] == "thresholds":
            t = crit["thresholds"]
            if any(b <= a for a, b in zip(t, t[1:], strict=False)):
                errors.append(f"{where}: thresholds must increase")
            if len(t) > 5:
                errors.append(f"{where}: at most 5 thresholds (levels 1 to 5)")
        if crit["type"] == "milestones":
            levels = [lv["level"] for lv in crit["levels"]]
            if any(b <= a for a, b in zip(levels, levels[1:], strict=False)):
                errors.append(f"{where}: milestone levels must increase")
            previous = 0
            for lv in crit["levels"]:
                parts = lv.get("parts")
                if parts and abs(sum(p["points"] for p in parts) - (lv["level"] - previous)) > 1e-9:
                    errors.append(f"{where}: the parts of level {lv['level']} must add up to {lv['level'] - previous}")
                previous = lv["level"]
    for cls in data.get("classification", []):
        if "min_each" not in cls and "min_average" not in cls:
            errors.append(f"classification {cls['code']}: give min_each or min_average")
    known = reporting.calendars()
    if data.get("calendar") and known and data["calendar"] not in known:
        errors.append(f"calendar must be one of {sorted(known)}")
    return errors


def load_scheme(path: str | Path) -> Scheme:
    path = Path(path)
    return parse_scheme(path.read_text(encoding="utf-8"), path.name)


def shipped_schemes(folder: Path | None = None) -> list[Scheme]:
    """The scheme files in ``folder`` (default: SLAFLOW_KPI_DIR)."""
    if folder is None:
        from ..config import Settings

        folder = Settings.from_env().kpi_dir
    return [load_scheme(p) for p in sorted(Path(folder).glob("*.json")) + sorted(Path(folder).glob("*.y*ml"))]

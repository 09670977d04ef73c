"""A problem found in a BPMN file, named by element id and name, rendered in Thai or English."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import render


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str = "error"  # "error" blocks deploying; "warning" does not
    element_id: str = ""
    element_name: str = ""
    filename: str = ""
    line: int | None = None
    params: dict = field(default_factory=dict)

    @classmethod
    def file(cls, code: str, filename: str = "", **params) -> Problem:
        return cls(code=code, filename=filename, params=params)

    def message(self, lang: str = "th") -> str:
        return render(self.code, lang, **self.params)

    def where(self) -> str:
        if self.element_id:
            label = f"{self.element_id}"
            if self.element_name:
                label += f" \"{self.element_name}\""
            return label
        return self.filename or "-"

    def to_dict(self, lang: str = "th") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "element_id": self.element_id,
            "element_name": self.element_name,
            "filename": self.filename,
            "line": self.line,
            "message": self.message(lang),
        }

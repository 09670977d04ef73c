"""Evidence files: type and size checks, random names outside the web root, references in form data."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

#: extension -> (content type, magic prefixes that the first bytes must start with)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
}


class FileRefused(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name[-200:] or "file"


def check(name: str, data: bytes, max_bytes: int) -> CheckedFile:
    name = clean_name(name)
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED:
        raise FileRefused("file_type", allowed=", ".join(sorted(ALLOWED)))
    if not data:
        raise FileRefused("file_empty")
    if len(data) > max_bytes:
        raise FileRefused("file_too_large", limit=max_bytes)
    content_type, magics = ALLOWED[ext]
    if not any(data.startswith(m) for m in magics):
        raise FileRefused("file_content", ext=ext)
    return CheckedFile(name, content_type, len(data), hashlib.sha256(data).hexdigest())


def write(upload_dir: Path, agency_id: int, data: bytes) -> str:
    """Store bytes under a random name; return the storage name (relative to upload_dir)."""
    storage_name = f"{int(agency_id)}/{secrets.token_hex(16)}"
    path = upload_dir / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)
    return storage_name


def path_of(upload_dir: Path, storage_name: str) -> Path:
    base = upload_dir.resolve()
    path = (base / storage_name).resolve()
    if base not in path.parents:
        raise FileRefused("file_missing")
    return path


def file_refs(data, path: str = "") -> list[tuple[str, int]]:
    """Every ``{"file_id": N}`` reference in submitted data, with its field path."""
    found = []
    if isinstance(data, dict):
        if "file_id" in data and isinstance(data["file_id"], int) and not isinstance(data["file_id"], bool):
            found.append((path or "_form", data["file_id"]))
        for key, value in data.items():
            if key != "file_id":
                found += file_refs(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += file_refs(value, f"{path}.{i}" if path else str(i))
    return found

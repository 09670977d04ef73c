"""Evidence files: type, size and content checks, random names outside the web root, references in form data."""
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
    data: bytes  # what to store: images re-encoded, everything else as uploaded


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
    data = _INSPECT[ext](data, ext)
    return CheckedFile(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data)


# Beyond the first bytes: each kind is opened the way its reader would, and refused when it is not what it
# claims, carries active content, or unpacks to far more than it weighs.
MAX_PIXELS = 60_000_000           # an image larger than this is a decompression bomb, not evidence
MAX_UNPACKED = 200 * 1024 * 1024  # an Office file's parts together
MAX_PARTS = 5_000
OFFICE_MAIN = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


def _pdf(data: bytes, ext: str) -> bytes:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if any(marker in data for marker in PDF_ACTIVE):
        raise FileRefused("file_active", ext=ext)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise FileRefused("file_content", ext=ext)
        reader.pages[0].mediabox  # noqa: B018 - reading the first page proves the page tree is sound
    except FileRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise FileRefused("file_content", ext=ext) from None
    return data


def _image(data: bytes, ext: str) -> bytes:
    """Opened, decoded and written again: what is stored is pixels only (no appended payload, no EXIF
    with the photographer's location)."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    fmt = "PNG" if ext == ".png" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != fmt or probe.width * probe.height > MAX_PIXELS:
                    raise FileRefused("file_content", ext=ext)
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                    img = img.convert("RGB")
                out = io.BytesIO()
                img.save(out, fmt, **({"quality": 92} if fmt == "JPEG" else {"optimize": False}))
    except FileRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError,
            ValueError, SyntaxError):
        raise FileRefused("file_content", ext=ext) from None
    return out.getvalue()


def _office(data: bytes, ext: str) -> bytes:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise FileRefused("file_content", ext=ext)
            if "[Content_Types].xml" not in names or OFFICE_MAIN[ext] not in names:
                raise FileRefused("file_content", ext=ext)
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise FileRefused("file_active", ext=ext)  # macros
            if zf.testzip() is not None:
                raise FileRefused("file_content", ext=ext)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused("file_content", ext=ext) from None
    return data


_INSPECT = {".pdf": _pdf, ".png": _image, ".jpg": _image, ".jpeg": _image, ".docx": _office, ".xlsx": _office,
            ".pptx": _office}


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

"""Static files: fingerprinted URLs that browsers keep for a year, compressed when the browser takes it.

Every ``url_for('static', filename=...)`` carries ``?v=<first 12 hex of the file's SHA-256>``. A request
with the current fingerprint is answered ``Cache-Control: public, max-age=31536000, immutable``: a new
release changes the fingerprint, hence the URL, so nothing stale is ever kept. Without it (a file an
asset loads by a relative path, such as a font), the answer is revalidated (``no-cache`` with an ETag).
Text files (CSS, JS, SVG, JSON, fonts that compress) are sent gzip-compressed to browsers that accept it,
compressed once per file and release and kept in memory.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from pathlib import Path

from flask import Response, abort, redirect, request, url_for
from werkzeug.security import safe_join

YEAR = 31_536_000
COMPRESSIBLE = {".css", ".js", ".mjs", ".svg", ".json", ".map", ".txt", ".html", ".ttf", ".eot"}


class StaticFiles:
    def __init__(self, folder: str):
        self.folder = Path(folder).resolve()
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, str, bytes, bytes | None]] = {}  # name -> (mtime, etag, raw, gzipped)

    def _load(self, filename: str):
        path = safe_join(str(self.folder), filename)
        if path is None or not Path(path).is_file():
            return None
        mtime = Path(path).stat().st_mtime
        with self._lock:
            hit = self._cache.get(filename)
        if hit and hit[0] == mtime:
            return hit
        raw = Path(path).read_bytes()
        etag = hashlib.sha256(raw).hexdigest()[:12]
        packed = gzip.compress(raw, 9, mtime=0) if Path(filename).suffix in COMPRESSIBLE and len(raw) > 512 else None
        entry = (mtime, etag, raw, packed if packed and len(packed) < len(raw) else None)
        with self._lock:
            self._cache[filename] = entry
        return entry

    def fingerprint(self, filename: str) -> str | None:
        entry = self._load(filename)
        return entry[1] if entry else None

    def serve(self, filename: str) -> Response:
        entry = self._load(filename)
        if entry is None:
            abort(404)
        _, etag, raw, packed = entry
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        use_gzip = packed is not None and "gzip" in (request.headers.get("Accept-Encoding") or "")
        body = packed if use_gzip else raw
        response = Response(body, mimetype=None, content_type=kind)
        response.set_etag(etag + ("-gz" if use_gzip else ""))
        response.headers["Vary"] = "Accept-Encoding"
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        if request.args.get("v") == etag:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response.make_conditional(request)


FONTS = {"Sarabun-Regular.ttf", "Sarabun-Medium.ttf", "Sarabun-Bold.ttf", "Sarabun-Italic.ttf"}


def install(app) -> None:
    files = StaticFiles(app.static_folder)
    import fontpkg_sarabun

    fonts = StaticFiles(str(fontpkg_sarabun.ROOT / "files"))

    def font(name: str):
        """The Thai web font the pages are set in (Sarabun, SIL Open Font License), served by the app, so
        every machine shows the same letters without fetching anything from elsewhere."""
        if name not in FONTS:
            abort(404)
        return fonts.serve(name)

    app.add_url_rule("/fonts/<name>", "font", font)

    def favicon():
        """Browsers ask for it at the root whatever the page says."""
        return redirect(url_for("static", filename="favicon.ico"), 301)

    app.add_url_rule("/favicon.ico", "favicon", favicon)

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = files.fingerprint(values["filename"])
            if version:
                values["v"] = version

    app.view_functions["static"] = files.serve

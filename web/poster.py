"""The A4 poster for the service point: the agency, the service, the promised time, the steps, the
complaint channels, and QR codes to the public page and the survey (WeasyPrint, Sarabun embedded)."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

import fontpkg_sarabun
import segno
from flask import render_template

from engine.thaidate import plain_number


@lru_cache(maxsize=1)
def _fonts_css() -> str:
    faces = [(400, "Sarabun-Regular.ttf"), (700, "Sarabun-Bold.ttf")]
    files = fontpkg_sarabun.ROOT / "files"
    return "\n".join(f"@font-face {{ font-family: 'Sarabun'; font-weight: {w}; src: url('{(files / f).as_uri()}'); }}"
                     for w, f in faces)


def qr_svg(url: str) -> str:
    """An SVG QR code (error correction M, quiet zone kept) for ``url``."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=4, dark="#111", omitsize=False)


def render(page, page_url: str, survey_url: str | None) -> bytes:
    from weasyprint import HTML  # imported on first use: it loads Pango

    html = render_template("public/poster.html", page=page, c=page.content, fonts_css=_fonts_css(), num=plain_number,
                           page_qr=qr_svg(page_url), page_url=unquote(page_url),
                           survey_qr=qr_svg(survey_url) if survey_url else None,
                           survey_url=unquote(survey_url) if survey_url else None)
    return HTML(string=html).write_pdf()

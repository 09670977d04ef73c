"""Sample evidence files for the demo data: real files that pass the upload checks."""
from __future__ import annotations

from functools import cache


@cache
def evidence(kind: str) -> bytes:
    """Real sample evidence: a one-page Thai PDF (WeasyPrint, Sarabun) and a photo (Pillow)."""
    import io

    if kind == "jpg":
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (640, 420), (236, 242, 248))
        draw = ImageDraw.Draw(img)
        draw.rectangle((40, 40, 600, 380), outline=(31, 78, 140), width=6)
        draw.rectangle((80, 90, 560, 150), fill=(31, 78, 140))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        return out.getvalue()
    import fontpkg_sarabun
    from weasyprint import HTML

    font = (fontpkg_sarabun.ROOT / "files" / "Sarabun-Regular.ttf").as_uri()
    html = (f"<style>@font-face {{ font-family: Sarabun; src: url('{font}'); }} body {{ font-family: Sarabun; "
            "font-size: 16pt; margin: 2cm; }}</style><h1>เอกสารหลักฐานประกอบ (ตัวอย่าง)</h1>"
            "<p>เอกสารนี้สร้างขึ้นเป็นข้อมูลตัวอย่างของระบบ slaflow ใช้แสดงการแนบหลักฐานในแบบฟอร์ม</p>")
    return HTML(string=html).write_pdf()

"""Uploads are checked beyond their first bytes: PDFs are parsed and refused with scripts or embedded
files, images are decoded and stored re-encoded (no appended payload, no EXIF location), Office files must
be the package they claim, without macros and without unpacking to hundreds of megabytes; each workflow
and agency has a storage quota."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from PIL import Image
from sqlalchemy import func, select

from engine.errors import InvalidInput
from engine.files import FileRefused, check
from engine.models import StoredFile
from engine.services import files
from tests import samples
from tests.published import publish_car_tax

NOW = datetime(2026, 11, 2, 3, tzinfo=timezone.utc)
MAX = 20 * 1024 * 1024


def _refused(name, data, code="file_content"):
    with pytest.raises(FileRefused) as caught:
        check(name, data, MAX)
    assert caught.value.code == code, caught.value.code


def test_real_files_pass():
    assert check("รายงาน.pdf", samples.pdf(), MAX).content_type == "application/pdf"
    assert check("ภาพ.jpg", samples.image(), MAX).content_type == "image/jpeg"
    assert check("ภาพ.png", samples.image("PNG"), MAX).content_type == "image/png"
    assert check("บันทึก.docx", samples.docx(), MAX).size > 0


@pytest.mark.parametrize("name, data", [
    ("x.pdf", b"%PDF-1.4\nnot really a pdf"),
    ("x.pdf", b"%PDF-1.7\n" + b"0" * 5000),
    ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100),
    ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ("x.png", samples.image("JPEG")[:0] + b"\x89PNG\r\n\x1a\n" + samples.image("JPEG")[3:]),
    ("x.docx", b"PK\x03\x04 not a zip"),
    ("x.xlsx", samples.docx()),  # a Word package named as a workbook
])
def test_files_that_only_start_right_are_refused(name, data):
    _refused(name, data)


def test_active_content_is_refused():
    js = samples.pdf().replace(b"/Title", b"/JavaScript")
    _refused("x.pdf", js, "file_active")
    _refused("x.docx", samples.docx({"word/vbaProject.bin": b"macro"}), "file_active")


def test_a_zip_bomb_and_an_image_bomb_are_refused():
    bomb = samples.docx({f"word/media/{i}.bin": b"\x00" * (30 * 1024 * 1024) for i in range(8)})
    assert len(bomb) < 2 * 1024 * 1024  # small to upload, 240 MB unpacked
    _refused("x.docx", bomb)
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 million pixels in a small file
    _refused("x.png", out.getvalue())


def test_images_are_stored_re_encoded_without_payload_or_location():
    img = Image.new("RGB", (32, 32), (200, 10, 10))
    exif = img.getexif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (13.0, 45.0, 0.0)  # where the photo was taken
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    photo = out.getvalue() + b"<script>alert(1)</script>"  # something appended after the image
    checked = check("ภาพถ่าย.jpg", photo, MAX)
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload carries a location...
    assert b"<script>" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.size == (32, 32) and not stored.getexif().get_ifd(0x8825)  # ...what is stored does not


def test_quotas_per_workflow_and_per_agency(world):
    iid = publish_car_tax(world, NOW)
    ctx = world.ctx
    document = samples.pdf()
    ctx_small = replace(ctx, settings=ctx.settings.replace(quota_instance_bytes=len(document) * 2))
    files.upload(ctx_small, world.actor("officer.a"), iid, "หนึ่ง.pdf", document)
    files.upload(ctx_small, world.actor("officer.a"), iid, "สอง.pdf", document)
    with pytest.raises(InvalidInput) as caught:
        files.upload(ctx_small, world.actor("officer.a"), iid, "สาม.pdf", document)
    assert caught.value.details["code"] == "file_quota" and caught.value.details["params"]["scope"] == "workflow"
    with ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(StoredFile)) == 2  # nothing half stored
    ctx_agency = replace(ctx, settings=ctx.settings.replace(quota_agency_bytes=len(document) * 2))
    with pytest.raises(InvalidInput) as caught:
        files.upload(ctx_agency, world.actor("officer.a"), iid, "สี่.pdf", document)
    assert caught.value.details["params"]["scope"] == "agency"

"""``slaflow backup`` / ``restore``: the database and the evidence together, as a round trip on SQLite and
on PostgreSQL; a damaged or foreign archive and a database already in use are refused."""
from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import audit, backup, context, migrate
from engine.models import AuditEvent, Instance, StoredFile, User
from engine.services import files, instances
from tests import samples
from tests.conftest import ADMIN, REVIEW, _settings


def _counts(ctx) -> dict:
    with ctx.uow(write=False) as uow:
        s = uow.session
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in (User, Instance, StoredFile,
                                                                                      AuditEvent)}


def test_round_trip_database_and_evidence(any_world, tmp_path):
    ctx = any_world.ctx
    iid = instances.start(ctx, ADMIN, REVIEW, any_world.agency_a, "บริการสำรองข้อมูล", 2569)
    evidence = samples.pdf()
    file_id = files.upload(ctx, any_world.actor("officer.a"), iid, "หลักฐาน.pdf", evidence)
    before = _counts(ctx)
    archive = tmp_path / "slaflow-backup.tar.gz"
    made = backup.backup(ctx.settings, archive)
    assert made.files == 1 and made.revision == migrate.head_revision()
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database"} <= set(tar.getnames())

    # a new, empty installation elsewhere: its own database and upload folder
    if ctx.db.dialect.name == "sqlite":
        target = _settings(tmp_path / "elsewhere")
    else:
        from tests.conftest import _postgres_database

        admin, _, url = _postgres_database()
        admin.dispose()
        target = _settings(tmp_path / "elsewhere", url)
    restored = backup.restore(target, archive)
    assert restored.files == 1
    other = context.build(target)
    try:
        assert _counts(other) == before
        info = files.open_file(other, any_world.actor("officer.a"), file_id)
        assert Path(info.path).read_bytes() == evidence
        with other.uow(write=False) as uow:
            assert audit.verify(uow.session, context.audit_key(other.settings)).intact
        with pytest.raises(backup.BackupError, match="already holds data"):
            backup.restore(target, archive)  # never over a database in use, unless told to
        assert backup.restore(target, archive, replace=True).files == 1
    finally:
        other.close()


def test_damaged_and_foreign_archives_are_refused(ctx, tmp_path):
    with tarfile.open(tmp_path / "foreign.tar.gz", "w:gz") as tar:
        tar.add(__file__, arcname="database")
    with pytest.raises(backup.BackupError, match="no manifest"):
        backup.restore(_settings(tmp_path / "x"), tmp_path / "foreign.tar.gz")
    archive = tmp_path / "ok.tar.gz"
    backup.backup(ctx.settings, archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "database":
                data = data[:-10] + b"0123456789"
                member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(_settings(tmp_path / "y"), damaged)

"""Upload and download evidence files of an instance (only for those who may see the instance)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from .. import audit
from .. import files as filestore
from ..actors import Actor
from ..context import Context
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Instance, StoredFile, utcnow
from ..roles import AGENCY_ROLES

MESSAGES = {
    "file_type": "this kind of file is not accepted (allowed: {allowed})",
    "file_empty": "the file is empty",
    "file_too_large": "the file is larger than {limit} bytes",
    "file_content": "the file's content does not match its {ext} name",
    "file_active": "the {ext} file carries active content (scripts, macros or embedded files)",
    "file_quota": "the {scope} has used its storage for evidence ({limit} bytes)",
    "file_missing": "the file is missing from storage",
}


@dataclass(frozen=True)
class FileInfo:
    id: int
    name: str
    content_type: str
    size: int
    path: Path


def upload(ctx: Context, actor: Actor, instance_id: int, name: str, data: bytes) -> int:
    try:
        checked = filestore.check(name, data, ctx.settings.upload_max_bytes)
    except filestore.FileRefused as exc:
        raise InvalidInput(MESSAGES[exc.code].format(**exc.params), field="file", code=exc.code,
                           params=exc.params) from None
    with ctx.uow() as uow:
        s = uow.session
        instance = s.get(Instance, instance_id)
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        if not (actor.roles & AGENCY_ROLES and actor.agency_id == instance.agency_id):
            raise Forbidden("only the agency's officers and supervisors add evidence")
        _check_quota(s, ctx, instance, checked.size)
        storage_name = filestore.write(ctx.settings.upload_dir, instance.agency_id, checked.data)
        try:
            row = StoredFile(agency_id=instance.agency_id, instance_id=instance.id, original_name=checked.original_name,
                             content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                             storage_name=storage_name, uploaded_by_id=actor.user_id, uploaded_at=utcnow())
            s.add(row)
            uow.flush()
            audit.record(s, actor, "file.upload", agency_id=instance.agency_id, instance_id=instance.id,
                         after={"file_id": row.id, "name": row.original_name, "size": row.size,
                                "sha256": row.sha256})
            uow.commit()
        except BaseException:
            filestore.path_of(ctx.settings.upload_dir, storage_name).unlink(missing_ok=True)
            raise
        return row.id


def _check_quota(session, ctx: Context, instance: Instance, size: int) -> None:
    """Evidence stored per workflow and per agency stays within the quotas (settings)."""
    quotas = (("workflow", StoredFile.instance_id, instance.id, ctx.settings.quota_instance_bytes),
              ("agency", StoredFile.agency_id, instance.agency_id, ctx.settings.quota_agency_bytes))
    for scope, column, key, limit in quotas:
        used = session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0)).where(column == key))
        if used + size > limit:
            raise InvalidInput(MESSAGES["file_quota"].format(scope=scope, limit=limit), field="file",
                               code="file_quota", params={"scope": scope, "limit": limit})


def open_file(ctx: Context, actor: Actor, file_id: int) -> FileInfo:
    with ctx.uow(write=False) as uow:
        row = uow.session.get(StoredFile, file_id)
        if row is None or not actor.can_see_agency(row.agency_id):
            raise NotFound("file not found")
        try:
            path = filestore.path_of(ctx.settings.upload_dir, row.storage_name)
        except filestore.FileRefused:
            raise NotFound("file not found") from None
        if not path.is_file():
            raise NotFound("file not found")
        return FileInfo(row.id, row.original_name, row.content_type, row.size, path)

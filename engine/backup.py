"""``slaflow backup`` / ``slaflow restore``: the database and the uploaded evidence together, in one
archive (tar.gz) with a manifest.

Consistency: the database is copied first, as one snapshot (SQLite's online backup API; PostgreSQL's
``pg_dump`` in one transaction), then every file the snapshot refers to is added. Evidence files are
written before their row commits and never changed afterwards, so every file of the snapshot is there;
a file removed in between is reported, and the backup fails rather than being silently incomplete.

Restore refuses a database that already holds data unless told to replace it, checks the archive's
schema revision against the code's, and extracts evidence files only under the upload folder.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import migrate
from .clock import utcnow
from .config import Settings

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    path: Path
    dialect: str
    revision: str | None
    files: int
    bytes: int


def _pg_env_args(url) -> tuple[list[str], dict]:
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--username", url.username or "",
            "--dbname", url.database or ""]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _run(argv: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    import os

    try:
        done = subprocess.run(argv, env={**os.environ, **(env or {})}, capture_output=True, check=False, **kwargs)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{argv[0]} is not installed (Debian: postgresql-client)") from exc
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.decode(errors='replace').strip()[:500]}")
    return done


def backup(settings: Settings, target: Path) -> Summary:
    url = make_url(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        revision = migrate.current_revision(engine)
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "database"
            if url.get_backend_name() == "sqlite":
                source = sqlite3.connect(url.database)
                copy = sqlite3.connect(dump)
                with copy:
                    source.backup(copy)  # one consistent snapshot, the app may go on writing
                source.close()
                copy.close()
                names = [r[0] for r in sqlite3.connect(dump).execute("SELECT storage_name FROM stored_file")]
            elif url.get_backend_name() == "postgresql":
                args, env = _pg_env_args(url)
                _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args], env)
                with engine.connect() as conn:  # rows as of now: a superset of the dump's (files are never edited)
                    names = [r[0] for r in conn.execute(text("SELECT storage_name FROM stored_file"))]
            else:
                raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
            total, missing = 0, []
            target.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(target, "w:gz") as tar:
                tar.add(dump, arcname="database")
                for name in sorted(names):
                    path = (settings.upload_dir / name).resolve()
                    if not path.is_file() or settings.upload_dir.resolve() not in path.parents:
                        missing.append(name)
                        continue
                    tar.add(path, arcname=f"uploads/{name}")
                    total += path.stat().st_size
                if missing and url.get_backend_name() == "sqlite":
                    raise BackupError(f"{len(missing)} evidence files are missing from {settings.upload_dir}: "
                                      f"{', '.join(missing[:5])}")
                manifest = {"format": FORMAT, "dialect": url.get_backend_name(), "revision": revision,
                            "created_at": utcnow().isoformat(), "files": len(names) - len(missing),
                            "database_sha256": hashlib.sha256(dump.read_bytes()).hexdigest()}
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return Summary(target, url.get_backend_name(), revision, len(names) - len(missing), total)
    finally:
        engine.dispose()


def _has_data(settings: Settings) -> bool:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM user_account")).scalar())
    except Exception:  # noqa: BLE001 - no table yet: an empty database
        return False
    finally:
        engine.dispose()


def restore(settings: Settings, source: Path, replace: bool = False) -> Summary:
    url = make_url(settings.database_url)
    with tarfile.open(source, "r:gz") as tar:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        except (KeyError, AttributeError, ValueError) as exc:
            raise BackupError("not a slaflow backup (no manifest)") from exc
        if manifest.get("format") != FORMAT or manifest.get("dialect") != url.get_backend_name():
            raise BackupError(f"this backup is of a {manifest.get('dialect')} database (format "
                              f"{manifest.get('format')}); the configured database is {url.get_backend_name()}")
        if manifest.get("revision") != migrate.head_revision():
            if manifest.get("revision") is None or manifest["revision"] > (migrate.head_revision() or ""):
                raise BackupError(f"the backup is at schema revision {manifest.get('revision')}, newer than this "
                                  f"release ({migrate.head_revision()}): install the release it was made with")
        if _has_data(settings) and not replace:
            raise BackupError("the configured database already holds data: restore with --replace to overwrite it")
        with tempfile.TemporaryDirectory() as tmp:
            tar.extractall(tmp, members=[m for m in tar.getmembers() if m.name == "database"], filter="data")
            dump = Path(tmp) / "database"
            if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest.get("database_sha256"):
                raise BackupError("the backup's database does not match its manifest (damaged archive)")
            if url.get_backend_name() == "sqlite":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                for suffix in ("-wal", "-shm"):
                    Path(url.database + suffix).unlink(missing_ok=True)
                shutil.copyfile(dump, url.database)
            else:
                args, env = _pg_env_args(url)
                _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(dump)],
                     env)
        uploads = [m for m in tar.getmembers() if m.name.startswith("uploads/") and m.isfile()]
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
        total = 0
        for member in uploads:
            member.name = member.name[len("uploads/"):]
            tar.extract(member, settings.upload_dir, filter="data")  # refuses absolute paths and ..
            total += member.size
    engine = create_engine(settings.database_url)
    try:
        migrate.upgrade(engine)  # an older backup is brought to this release's schema
    finally:
        engine.dispose()
    return Summary(source, url.get_backend_name(), manifest.get("revision"), len(uploads), total)

"""The one place that reads the environment.

Every setting is a ``SLAFLOW_*`` variable; all are listed in README.md.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in _TRUE


class ConfigError(ValueError):
    """A SLAFLOW_* variable has a value that cannot be used."""


def _int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(env, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _int_list(env, name: str, default: tuple) -> tuple:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        values = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError as exc:
        raise ConfigError(f"{name} must be whole numbers separated by commas, got {raw!r}") from exc
    if any(v <= 0 for v in values):
        raise ConfigError(f"{name} must be positive numbers, got {raw!r}")
    return values


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    upload_dir: Path
    forms_dir: Path
    bpmn_dir: Path
    kpi_dir: Path
    timezone: str = "Asia/Bangkok"
    language: str = "th"
    handlers_module: str = "workflows.handlers"
    bpmn_max_bytes: int = 2 * 1024 * 1024
    upload_max_bytes: int = 20 * 1024 * 1024
    script_timeout: float = 1.0
    script_memory_mb: int = 256  # address space of the worker process that runs unbounded diagram code
    log_format: str = "text"  # or "json": one JSON object a line, for log collectors
    log_level: str = "INFO"
    metrics_token: str = ""  # /metrics answers only with "Authorization: Bearer <this>" (or from metrics_networks)
    metrics_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    db_app_role: str = ""  # PostgreSQL: the role the app runs as, granted by init-db after migrating
    revision_cap: int = 5
    complaint_days: int = 15
    complaint_retention_days: int = 730
    scheduler_interval: float = 30.0
    reminder_days: tuple = (7, 3, 1)
    clock_warnings: tuple = (50, 75)
    mail_server: str = ""
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_sender: str = "slaflow@localhost"
    base_url: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    web_threads: int = 8
    cookie_secure: bool = False
    login_max_attempts: int = 5
    login_window_seconds: int = 300
    session_idle_minutes: int = 30      # a session unused this long ends
    session_max_hours: int = 8          # a session ends this long after login, used or not
    quota_instance_bytes: int = 500 * 1024 * 1024     # evidence per workflow
    quota_agency_bytes: int = 10 * 1024 * 1024 * 1024  # evidence per agency, all workflows
    trusted_proxies: int = 0            # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    sqlite_busy_ms: int = 30000         # SQLite: how long a write waits for the lock, then "try again" (503)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("SLAFLOW_INSTANCE_DIR") or REPO_ROOT / "var").resolve()
        database_url = env.get("SLAFLOW_DATABASE_URL") or f"sqlite:///{instance_dir / 'slaflow.sqlite3'}"
        return cls(
            instance_dir=instance_dir,
            database_url=database_url,
            secret_key=env.get("SLAFLOW_SECRET_KEY") or _instance_secret(instance_dir),
            upload_dir=Path(env.get("SLAFLOW_UPLOAD_DIR") or instance_dir / "uploads").resolve(),
            forms_dir=Path(env.get("SLAFLOW_FORMS_DIR") or REPO_ROOT / "forms").resolve(),
            bpmn_dir=Path(env.get("SLAFLOW_BPMN_DIR") or REPO_ROOT / "bpmn").resolve(),
            kpi_dir=Path(env.get("SLAFLOW_KPI_DIR") or REPO_ROOT / "workflows" / "kpi").resolve(),
            timezone=env.get("SLAFLOW_TIMEZONE") or "Asia/Bangkok",
            language=env.get("SLAFLOW_LANGUAGE") or "th",
            handlers_module=env.get("SLAFLOW_HANDLERS") or "workflows.handlers",
            bpmn_max_bytes=_int(env, "SLAFLOW_BPMN_MAX_BYTES", 2 * 1024 * 1024),
            upload_max_bytes=_int(env, "SLAFLOW_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
            script_timeout=_float(env, "SLAFLOW_SCRIPT_TIMEOUT", 1.0),
            script_memory_mb=_int(env, "SLAFLOW_SCRIPT_MEMORY_MB", 256),
            db_app_role=env.get("SLAFLOW_DB_APP_ROLE") or "",
            log_format="json" if (env.get("SLAFLOW_LOG_FORMAT") or "").lower() == "json" else "text",
            log_level=env.get("SLAFLOW_LOG_LEVEL") or "INFO",
            metrics_token=env.get("SLAFLOW_METRICS_TOKEN") or "",
            metrics_networks=tuple(n.strip() for n in (env.get("SLAFLOW_METRICS_NETWORKS") or "127.0.0.1/32,::1/128")
                                   .split(",") if n.strip()),
            revision_cap=_int(env, "SLAFLOW_REVISION_CAP", 5),
            complaint_days=_int(env, "SLAFLOW_COMPLAINT_DAYS", 15),
            complaint_retention_days=_int(env, "SLAFLOW_COMPLAINT_RETENTION_DAYS", 730),
            scheduler_interval=_float(env, "SLAFLOW_SCHEDULER_INTERVAL", 30.0),
            reminder_days=_int_list(env, "SLAFLOW_REMINDER_DAYS", (7, 3, 1)),
            clock_warnings=_int_list(env, "SLAFLOW_CLOCK_WARNINGS", (50, 75)),
            mail_server=env.get("SLAFLOW_MAIL_SERVER") or "",
            mail_port=_int(env, "SLAFLOW_MAIL_PORT", 25),
            mail_username=env.get("SLAFLOW_MAIL_USERNAME") or "",
            mail_password=env.get("SLAFLOW_MAIL_PASSWORD") or "",
            mail_use_tls=_bool(env.get("SLAFLOW_MAIL_USE_TLS"), False),
            mail_sender=env.get("SLAFLOW_MAIL_SENDER") or "slaflow@localhost",
            base_url=env.get("SLAFLOW_BASE_URL") or "",
            host=env.get("SLAFLOW_HOST") or "127.0.0.1",
            port=_int(env, "SLAFLOW_PORT", 5000),
            web_threads=_int(env, "SLAFLOW_WEB_THREADS", 8),
            cookie_secure=_bool(env.get("SLAFLOW_COOKIE_SECURE"), False),
            login_max_attempts=_int(env, "SLAFLOW_LOGIN_MAX_ATTEMPTS", 5),
            login_window_seconds=_int(env, "SLAFLOW_LOGIN_WINDOW_SECONDS", 300),
            session_idle_minutes=_int(env, "SLAFLOW_SESSION_IDLE_MINUTES", 30),
            session_max_hours=_int(env, "SLAFLOW_SESSION_MAX_HOURS", 8),
            sqlite_busy_ms=_int(env, "SLAFLOW_SQLITE_BUSY_MS", 30000),
            trusted_proxies=_int(env, "SLAFLOW_TRUSTED_PROXIES", 0),
            quota_instance_bytes=_int(env, "SLAFLOW_QUOTA_INSTANCE_BYTES", 500 * 1024 * 1024),
            quota_agency_bytes=_int(env, "SLAFLOW_QUOTA_AGENCY_BYTES", 10 * 1024 * 1024 * 1024),
        )

    def replace(self, **changes) -> Settings:
        from dataclasses import replace

        return replace(self, **changes)


def _instance_secret(instance_dir: Path) -> str:
    """A per-installation secret kept in the instance folder (development default).

    Production sets SLAFLOW_SECRET_KEY; every web worker must share it.
    """
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key

"""The e-mail outbox: sends pending notifications over SMTP with retries and back-off.

Run by the scheduler process. A failure is recorded on the row and retried later; it never
reaches the user whose action created the notification.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import select

from . import notifications
from .config import Settings
from .context import Context
from .messages import render
from .models import MailOut, Notification, User, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BATCH = 200


@dataclass
class OutboxResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


def build_message(settings: Settings, user: User, note: Notification, base_url: str = "") -> EmailMessage:
    lang = user.language if user.language in ("th", "en") else "th"
    subject = notifications.text(note.kind, note.params, lang, note.message)
    msg = EmailMessage()
    msg["Subject"] = "[slaflow] " + subject.splitlines()[0][:150]
    msg["From"] = settings.mail_sender
    msg["To"] = formataddr((user.display_name, user.email))
    msg["Message-ID"] = make_msgid(domain="slaflow")
    link = f"{base_url.rstrip('/')}/tasks/{note.task_id}" if base_url and note.task_id else ""
    greeting = render("mail_greeting", lang, name=user.display_name)
    footer = render("mail_footer", lang)
    msg.set_content("\n\n".join(part for part in (greeting, subject, link, footer) if part))
    return msg


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=15)
    if settings.mail_use_tls:
        smtp.starttls(context=ssl.create_default_context())
    if settings.mail_username:
        smtp.login(settings.mail_username, settings.mail_password)
    return smtp


def _open(settings: Settings) -> tuple[smtplib.SMTP | None, str]:
    """One SMTP connection for a batch, or the reason there is none."""
    if not settings.mail_server:
        return None, ""
    try:
        return _connect(settings), ""
    except (OSError, smtplib.SMTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass


def _deliver(smtp: smtplib.SMTP | None, connect_error: str, msg: EmailMessage) -> str:
    """Sends one message; returns the error text, empty when it went."""
    if smtp is None:
        return connect_error
    try:
        smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def _failed_attempt(attempts: int, now: datetime, result: OutboxResult) -> datetime | None:
    """After a failed attempt: the time of the next one, or None when the message is given up."""
    if attempts >= MAX_ATTEMPTS:
        result.failed += 1
        return None
    result.retried += 1
    return now + timedelta(minutes=2 ** attempts)


def send_pending(ctx: Context, now: datetime | None = None, base_url: str = "") -> OutboxResult:
    now = now or utcnow()
    result = OutboxResult()
    with ctx.uow(write=False) as uow:
        due = list(uow.session.execute(
            select(Notification.id, User.email).join(User, User.id == Notification.user_id)
            .where(Notification.email_status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.id).limit(BATCH)))
    if not due:
        return result
    smtp, connect_error = _open(ctx.settings)
    try:
        for note_id, email in due:
            _send_one(ctx, note_id, email, smtp, connect_error, now, base_url, result)
    finally:
        _close(smtp)
    return result


def _send_one(ctx, note_id, email, smtp, connect_error, now, base_url, result) -> None:
    with ctx.uow() as uow:
        note = uow.session.get(Notification, note_id)
        if note is None or note.email_status != "pending":
            return
        user = uow.session.get(User, note.user_id)
        if not ctx.settings.mail_server or not email or not user.active:
            note.email_status = "skipped"
            note.email_error = "no mail server configured" if not ctx.settings.mail_server else "no e-mail address"
            result.skipped += 1
        else:
            error = _deliver(smtp, connect_error, build_message(ctx.settings, user, note, base_url))
            if not error:
                note.email_status, note.emailed_at, note.email_error = "sent", now, ""
                result.sent += 1
            else:
                note.email_attempts += 1
                note.email_error = error[:2000]
                next_at = _failed_attempt(note.email_attempts, now, result)
                if next_at is None:
                    note.email_status = "failed"
                    log.error("e-mail for notification %s failed for good: %s", note_id, error)
                else:
                    note.next_attempt_at = next_at
                    log.warning("e-mail for notification %s failed, retrying: %s", note_id, error)
        uow.commit()


def send_mail_out(ctx: Context, now: datetime | None = None) -> OutboxResult:
    """E-mails to people who are not users (answers to complainants), with the same retries."""
    now = now or utcnow()
    result = OutboxResult()
    with ctx.uow(write=False) as uow:
        due = list(uow.session.scalars(select(MailOut.id).where(MailOut.status == "pending",
                                                                MailOut.next_attempt_at <= now)
                                       .order_by(MailOut.id).limit(BATCH)))
    if not due or not ctx.settings.mail_server:
        return result
    smtp, connect_error = _open(ctx.settings)
    try:
        for mail_id in due:
            with ctx.uow() as uow:
                mail = uow.session.get(MailOut, mail_id)
                if mail is None or mail.status != "pending":
                    continue
                msg = EmailMessage()
                msg["Subject"], msg["From"], msg["To"] = mail.subject, ctx.settings.mail_sender, mail.to_address
                msg["Message-ID"] = make_msgid(domain="slaflow")
                msg.set_content(mail.body)
                error = _deliver(smtp, connect_error, msg)
                mail.attempts += 1
                if not error:
                    mail.status, mail.sent_at = "sent", now
                    result.sent += 1
                else:
                    next_at = _failed_attempt(mail.attempts, now, result)
                    if next_at is None:
                        mail.status = "failed"
                        log.error("e-mail %s to a non-user failed for good: %s", mail_id, error)
                    else:
                        mail.next_attempt_at = next_at
                uow.commit()
    finally:
        _close(smtp)
    return result

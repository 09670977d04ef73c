"""Notifications: written with the change, shown in the reader's language, e-mailed through a real SMTP
server from an outbox; a mail server that is down never blocks anyone."""
from __future__ import annotations

import email
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine import mailer
from engine.models import Notification, utcnow
from engine.services import inbox, instances, notices, tasks
from tests.conftest import ADMIN, REVIEW, SELECT_OK, STAGE1_OK


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def with_mail(ctx, port):
    ctx.settings = ctx.settings.replace(mail_server="127.0.0.1", mail_port=port, base_url="https://sla.example.go.th")


def test_arrival_and_send_back_notify_the_right_people(world):
    ctx = world.ctx
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    officer, officer2 = world.actor("officer.a"), world.actor("officer.a2")
    # the first task arrives for every officer of agency A, none of agency B
    with ctx.uow(write=False) as uow:
        users = set(uow.session.scalars(select(Notification.user_id).where(Notification.kind == "task_arrived")))
    assert users == {officer.user_id, officer2.user_id}
    task = inbox.list_tasks(ctx, officer)[0][0]
    tasks.submit(ctx, officer, task.id, SELECT_OK)
    task = inbox.list_tasks(ctx, officer)[0][0]
    tasks.submit(ctx, officer2, task.id, STAGE1_OK)
    review = inbox.list_tasks(ctx, world.actor("supervisor.a"))[0][0]
    tasks.submit(ctx, world.actor("supervisor.a"), review.id, {"decision": "send_back", "comment": "แก้ไข"})
    with ctx.uow(write=False) as uow:
        returned = uow.session.scalars(select(Notification).where(Notification.kind == "task_returned")).all()
    assert [n.user_id for n in returned] == [officer2.user_id]  # the one who did the step
    texts = [n.text for n in notices.recent(ctx, officer2)]
    assert texts[0].startswith("งานถูกส่งกลับให้แก้ไข") and "ภาษีรถ" in texts[0]
    assert notices.recent(ctx, officer2, lang="en")[0].text.startswith("Sent back for changes")
    assert notices.unread_count(ctx, officer2) == 3
    assert notices.mark_all_read(ctx, officer2) == 3 and notices.unread_count(ctx, officer2) == 0
    assert iid


def test_outbox_sends_through_smtp_in_the_readers_language(world, smtp):
    controller, received = smtp
    ctx = world.ctx
    with_mail(ctx, controller.port)
    instances.start(ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    result = mailer.send_pending(ctx, base_url="https://sla.example.go.th")
    assert (result.sent, result.failed) == (2, 0)
    addresses = sorted(m["To"].addresses[0].addr_spec for m in received.messages)
    assert addresses == ["officer.a2@example.go.th", "officer.a@example.go.th"]
    body = received.messages[0].get_content()
    assert "เรียน officer.a" in body and "https://sla.example.go.th/tasks/" in body
    assert mailer.send_pending(ctx).sent == 0  # each notification is e-mailed once


def test_outbox_retries_when_the_server_is_down_and_never_blocks_the_user(world, smtp):
    controller, received = smtp
    ctx = world.ctx
    with_mail(ctx, free_port())  # nothing listens there
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)  # the action itself succeeds
    now = utcnow()
    first = mailer.send_pending(ctx, now=now)
    assert first.retried == 2 and first.sent == 0
    assert mailer.send_pending(ctx, now=now).retried == 0  # backing off: not retried at once
    with_mail(ctx, controller.port)  # the server is back
    later = mailer.send_pending(ctx, now=now + timedelta(minutes=3))
    assert later.sent == 2
    assert len(received.messages) == 2
    message = received.messages[0]
    assert "มีงานใหม่" in message["Subject"] and "ภาษีรถ" in message["Subject"]
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(Notification).where(Notification.instance_id == iid)).all()
    assert {r.email_status for r in rows} == {"sent"} and all(r.email_attempts == 1 for r in rows)


def test_outbox_gives_up_after_the_last_attempt(world):
    ctx = world.ctx
    with_mail(ctx, free_port())
    instances.start(ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    now = utcnow()
    for attempt in range(mailer.MAX_ATTEMPTS):
        mailer.send_pending(ctx, now=now + timedelta(days=attempt))
    with ctx.uow(write=False) as uow:
        assert set(uow.session.scalars(select(Notification.email_status))) == {"failed"}


def test_without_a_mail_server_notifications_stay_in_the_app(world):
    ctx = world.ctx
    instances.start(ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    assert mailer.send_pending(ctx).skipped == 2
    with ctx.uow(write=False) as uow:
        assert set(uow.session.scalars(select(Notification.email_status))) == {"skipped"}


"""A published SLA to measure, survey or complain about: agency A's car-tax service, 15 minutes."""
from __future__ import annotations

from datetime import datetime

import time_machine

from engine.models import Instance
from engine.services import instances, publication
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import deploy_all

SERVICE = "การชำระภาษีรถประจำปี"


def publish_car_tax(world, now: datetime, fiscal_year: int = 2570) -> int:
    """Deploys the processes, starts agency A's SLA at ``now`` and publishes it; returns the instance id."""
    deploy_all(world.ctx)
    with time_machine.travel(now, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, fiscal_year)
        with world.ctx.uow() as uow:
            publication.publish(uow.session, uow.session.get(Instance, iid), SERVICE,
                                {"time": {"value": 15, "unit": "minutes"}}, "15 นาที", now)
            uow.commit()
    return iid

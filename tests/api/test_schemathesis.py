"""Every API operation, property-based (schemathesis): whatever a client sends within or around the
documented schemas, the app answers as documented (status codes, content types, response schemas)
and never with a server error."""
from __future__ import annotations

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from engine.services import api_tokens, instances
from tests.conftest import ADMIN, World, make_ctx
from tests.workflows.test_sla_paths import START, deploy_all
from web import create_app


@pytest.fixture(scope="module")
def api_setup(tmp_path_factory):
    ctx = make_ctx(tmp_path_factory.mktemp("api"))
    world = World(ctx)
    deploy_all(ctx)
    with time_machine.travel(START, tick=False):
        instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "การชำระภาษีรถประจำปี", 2569)
    token = api_tokens.create(ctx, world.actor("officer.a"), "schemathesis", ["read", "work", "records"])
    app = create_app(ctx=ctx)
    app.config.update(TESTING=True)
    yield app, token
    ctx.close()


def test_every_operation(api_setup):
    from web.api import routes

    app, token = api_setup
    routes.RATE_PER_MINUTE = 10**9  # property tests call far more often than a client may
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            # a task's own form, a calendar's dates, an agency's rules are checked beyond what the document can
            # say (422/400 with field errors): a schema-valid body may be refused, never answered with a 5xx
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                   excluded_checks=[positive_data_acceptance])

        check()

"""Hostile and broken BPMN: each gives a clear error and stores nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bpmn.loader import load_bpmn
from engine.errors import BpmnInvalid
from engine.models import ProcessDefinition, ProcessVersion
from engine.services import deploy
from tests.bpmn_factory import HEAD, one_task
from tests.conftest import DESIGNER

XXE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + ']><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</bpmn:definitions>')
DTD = ('<?xml version="1.0"?><!DOCTYPE definitions SYSTEM "http://example.com/bpmn.dtd">'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')
PARAM_ENTITY = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://example.com/x.dtd"> %p;]>'
                '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')
UTF16_XXE = XXE.replace('<?xml version="1.0"?>', "").encode("utf-16")
WRONG_NS = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL-WRONG"><process id="p"/></definitions>'
NOT_XML = b"\x89PNG\r\n\x1a\n this is not xml"
INVALID_FLOW = (HEAD + '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/></bpmn:process></bpmn:definitions>')

CORPUS = {
    "external entity": (XXE, "doctype"),
    "billion laughs": (LAUGHS, "doctype"),
    "DTD": (DTD, "doctype"),
    "parameter entity": (PARAM_ENTITY, "doctype"),
    "UTF-16 external entity": (UTF16_XXE, "doctype"),
    "not XML": (NOT_XML, "not_xml"),
    "wrong namespace": (WRONG_NS, "wrong_root"),
    "empty": (b"   ", "empty"),
    "over the size limit": (one_task().replace("</bpmn:definitions>", "<!--" + "x" * 3_000_000 + "--></bpmn:definitions>"),
                            "too_large"),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_file_refused_by_loader(name):
    data, code = CORPUS[name]
    with pytest.raises(BpmnInvalid) as info:
        load_bpmn(data, "hostile.bpmn")
    assert [p.code for p in info.value.problems] == [code]
    problem = info.value.problems[0]
    assert problem.message("th") and problem.message("en")
    assert problem.message("th") != problem.message("en")


@pytest.mark.parametrize("name", list(CORPUS) + ["invalid flows"])
def test_hostile_file_deploys_nothing(ctx, name):
    data = INVALID_FLOW if name == "invalid flows" else CORPUS[name][0]
    with pytest.raises(BpmnInvalid) as info:
        deploy.deploy(ctx, {"hostile.bpmn": data}, DESIGNER)
    assert info.value.problems
    with ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProcessDefinition)) == 0
        assert uow.session.scalar(select(func.count()).select_from(ProcessVersion)) == 0


def test_invalid_flow_reported_by_schema_or_parser(ctx):
    with pytest.raises(BpmnInvalid) as info:
        deploy.deploy(ctx, {"bad.bpmn": INVALID_FLOW}, DESIGNER)
    codes = {p.code for p in info.value.problems}
    assert codes & {"schema", "parse_error", "unreachable", "no_start", "flow_dangling"}


def test_entities_are_never_expanded():
    # even if the DOCTYPE scan were bypassed, the parser itself does not resolve entities
    from lxml import etree

    from engine.bpmn.loader import _parser

    root = etree.fromstring(XXE.encode(), parser=_parser())
    assert "root:" not in (root.text or "")

"""Hardened loading of BPMN XML that may come from anyone.

No DTD, no entity resolution, no network, a size limit; a DOCTYPE anywhere is refused before
parsing. The result is an lxml tree whose root is ``bpmn:definitions``, or ``BpmnInvalid``.
"""
from __future__ import annotations

import re

from lxml import etree

from ..errors import BpmnInvalid
from .problems import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def load_bpmn(data: bytes | str, filename: str = "", max_bytes: int = 2 * 1024 * 1024) -> etree._ElementTree:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise BpmnInvalid([Problem.file("too_large", filename, size=len(data), limit=max_bytes)])
    if not data.strip():
        raise BpmnInvalid([Problem.file("empty", filename)])
    # a UTF-16/32 document would hide the declaration from the byte scan: decode first
    probe = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        try:
            probe = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-32").encode()
        except UnicodeDecodeError:
            raise BpmnInvalid([Problem.file("not_xml", filename, detail="bad encoding")]) from None
    if _DOCTYPE.search(probe):
        raise BpmnInvalid([Problem.file("doctype", filename)])
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser=_parser()))
    except etree.XMLSyntaxError as exc:
        raise BpmnInvalid([Problem.file("not_xml", filename, detail=str(exc))]) from None
    except ValueError as exc:
        raise BpmnInvalid([Problem.file("not_xml", filename, detail=str(exc))]) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise BpmnInvalid([Problem.file("doctype", filename)])
    root = tree.getroot()
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise BpmnInvalid([Problem.file("wrong_root", filename, root=root.tag)])
    return tree

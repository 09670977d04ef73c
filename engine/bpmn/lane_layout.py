"""Lanes added to a diagram that had none (an import): the lane set in the process, and a picture to
match: a pool around the process, one horizontal band per lane, each element moved down or up into
its lane's band (keeping its left-right place and its place within the lane), what belongs to it (a
sub-process's content, boundary events, labels) moved with it, and the flows between moved elements
drawn again as right-angled lines."""
from __future__ import annotations

from lxml import etree

from .lint import B

BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
PAD, MIN_BAND, HEADER = 30.0, 140.0, 30.0
_BEFORE_FLOW = {"documentation", "extensionElements", "supportedInterfaceRef", "ioSpecification", "ioBinding",
                "auditing", "monitoring", "property", "laneSet"}


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def add_lanes(root, process, lanes: list[tuple[str, str, list[str]]]) -> None:
    """``lanes``: (lane id, lane name, ids of the flow nodes in it), top to bottom. Tasks inside a
    sub-process may be listed too (their lane says who does them); the picture places only the
    process's own elements, the rest move with their sub-process."""
    lane_set = etree.Element(f"{B}laneSet", id=f"LaneSet_{process.get('id')}")
    for lane_id, name, refs in lanes:
        lane = etree.SubElement(lane_set, f"{B}lane", id=lane_id, name=name)
        for ref in refs:
            etree.SubElement(lane, f"{B}flowNodeRef").text = ref
    at = next((i for i, child in enumerate(process) if _local(child) not in _BEFORE_FLOW), len(process))
    process.insert(at, lane_set)
    plane = _plane_of(root, process)
    if plane is not None:
        _draw(root, plane, process, lanes)


def _plane_of(root, process):
    """The diagram plane showing this process (directly, or through its pool)."""
    pid = process.get("id")
    participants = {p.get("id") for p in root.iter(f"{B}participant") if p.get("processRef") == pid}
    collaborations = {c.get("id") for c in root.iter(f"{B}collaboration")
                      if any(p.get("processRef") == pid for p in c.iter(f"{B}participant"))}
    for plane in root.iter(f"{BPMNDI}BPMNPlane"):
        if plane.get("bpmnElement") in ({pid} | participants | collaborations):
            return plane
    return None


def _bounds(shape) -> list[float] | None:
    b = shape.find(f"{DC}Bounds")
    if b is None:
        return None
    try:
        return [float(b.get(k, "0")) for k in ("x", "y", "width", "height")]
    except ValueError:
        return None


def _set_bounds(shape, x, y, w, h) -> None:
    b = shape.find(f"{DC}Bounds")
    if b is None:
        b = etree.SubElement(shape, f"{DC}Bounds")
    for key, value in zip(("x", "y", "width", "height"), (x, y, w, h), strict=True):
        b.set(key, f"{value:g}")


def _shift(shape, dy: float) -> None:
    for b in shape.iter(f"{DC}Bounds"):  # the shape and its label
        b.set("y", f"{float(b.get('y', '0')) + dy:g}")


def _draw(root, plane, process, lanes) -> None:
    shapes = {s.get("bpmnElement"): s for s in plane.iter(f"{BPMNDI}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in plane.iter(f"{BPMNDI}BPMNEdge")}
    own_ids = {child.get("id") for child in process if isinstance(child.tag, str)}
    lanes = [(lane_id, name, [r for r in refs if r in own_ids]) for lane_id, name, refs in lanes]
    boxes = {ref: _bounds(shapes[ref]) for _, _, refs in lanes for ref in refs if ref in shapes}
    boxes = {ref: box for ref, box in boxes.items() if box}
    if not boxes:
        return
    left = min(b[0] for b in boxes.values()) - HEADER * 2 - PAD
    right = max(b[0] + b[2] for b in boxes.values()) + PAD * 2
    top = min(b[1] for b in boxes.values()) - PAD
    dy: dict[str, float] = {}
    lane_boxes = []
    y = top
    for lane_id, _name, refs in lanes:
        own = [boxes[r] for r in refs if r in boxes]
        low = min((b[1] for b in own), default=0.0)
        height = max(MIN_BAND, (max((b[1] + b[3] for b in own), default=0.0) - low) + 2 * PAD)
        for ref in refs:
            if ref in boxes:
                dy[ref] = y + PAD + (boxes[ref][1] - low) - boxes[ref][1]
        lane_boxes.append((lane_id, y, height))
        y += height
    moved = dict(dy)
    # what belongs to a moved element moves with it: a sub-process's content, boundary events, data
    elements = {el.get("id"): el for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
    for ref, delta in dy.items():
        el = elements.get(ref)
        if el is not None and _local(el) in ("subProcess", "transaction", "adHocSubProcess"):
            for inner in el.iter():
                if isinstance(inner.tag, str) and inner.get("id") and inner.get("id") != ref:
                    moved[inner.get("id")] = delta
    for event in process.iter(f"{B}boundaryEvent"):
        if event.get("attachedToRef") in moved:
            moved[event.get("id")] = moved[event.get("attachedToRef")]
    for assoc in process.iter(f"{B}dataOutputAssociation", f"{B}dataInputAssociation"):
        owner = assoc.getparent().get("id")
        target = assoc.findtext(f"{B}targetRef") if _local(assoc) == "dataOutputAssociation" else \
            assoc.findtext(f"{B}sourceRef")
        if owner in moved and target and target.strip() not in moved:
            moved[target.strip()] = moved[owner]
    for ref, delta in moved.items():
        if ref in shapes and ref not in dy:
            _shift(shapes[ref], delta)
    for ref, delta in dy.items():
        _shift(shapes[ref], delta)
    _redraw_edges(process, root, shapes, edges, moved)
    participant = _pool(root, plane, process)
    pool_shape = shapes.get(participant.get("id")) if participant is not None else None
    if participant is not None:
        if pool_shape is None:
            pool_shape = etree.Element(f"{BPMNDI}BPMNShape", id=f"{participant.get('id')}_di",
                                       bpmnElement=participant.get("id"), isHorizontal="true")
            plane.insert(0, pool_shape)
        _set_bounds(pool_shape, left, top, right - left, y - top)
    at = list(plane).index(pool_shape) + 1 if pool_shape is not None else 0
    for offset, (lane_id, lane_top, height) in enumerate(lane_boxes):
        lane_shape = etree.Element(f"{BPMNDI}BPMNShape", id=f"{lane_id}_di", bpmnElement=lane_id,
                                   isHorizontal="true")
        _set_bounds(lane_shape, left + HEADER, lane_top, right - left - HEADER, height)
        plane.insert(at + offset, lane_shape)


def _pool(root, plane, process):
    """The process's pool; one is made (with a collaboration) when the diagram had none."""
    pid = process.get("id")
    for participant in root.iter(f"{B}participant"):
        if participant.get("processRef") == pid:
            return participant
    if plane.get("bpmnElement") != pid:
        return None  # shown inside another collaboration's plane without a pool: left as it is
    collaboration = next(root.iter(f"{B}collaboration"), None)
    if collaboration is None:
        collaboration = etree.Element(f"{B}collaboration", id=f"Collaboration_{pid}")
        first_process = next(root.iter(f"{B}process"))
        root.insert(list(root).index(first_process), collaboration)
    participant = etree.SubElement(collaboration, f"{B}participant", id=f"Participant_{pid}", processRef=pid)
    if process.get("name"):
        participant.set("name", process.get("name"))
    plane.set("bpmnElement", collaboration.get("id"))
    return participant


def _center(box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _redraw_edges(process, root, shapes, edges, moved) -> None:
    flows = [*process.iter(f"{B}sequenceFlow", f"{B}association"), *root.iter(f"{B}messageFlow")]
    for flow in flows:
        edge = edges.get(flow.get("id"))
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if edge is None or (source not in moved and target not in moved):
            continue
        if moved.get(source) == moved.get(target) and source in moved:
            for point in edge.iter(f"{DI}waypoint"):
                point.set("y", f"{float(point.get('y', '0')) + moved[source]:g}")
            _shift_label(edge, moved[source])
            continue
        a = _bounds(shapes[source]) if source in shapes else None
        b = _bounds(shapes[target]) if target in shapes else None
        if not a or not b:
            continue
        for point in edge.findall(f"{DI}waypoint"):
            edge.remove(point)
        label = edge.find(f"{BPMNDI}BPMNLabel")
        if label is not None:
            edge.remove(label)
        (ax, ay), (bx, by) = _center(a), _center(b)
        if _local(flow) == "sequenceFlow" and b[0] >= a[0] + a[2]:
            mid = (a[0] + a[2] + b[0]) / 2
            points = [(a[0] + a[2], ay), (mid, ay), (mid, by), (b[0], by)]
        elif _local(flow) == "sequenceFlow":  # a flow going back: below, around
            low = max(a[1] + a[3], b[1] + b[3]) + 20
            points = [(ax, a[1] + a[3]), (ax, low), (bx, low), (bx, b[1] + b[3])]
        else:
            points = [(ax, ay), (bx, by)]
        for x, y in points:
            etree.SubElement(edge, f"{DI}waypoint", x=f"{x:g}", y=f"{y:g}")


def _shift_label(edge, dy: float) -> None:
    for b in edge.iter(f"{DC}Bounds"):
        b.set("y", f"{float(b.get('y', '0')) + dy:g}")


def draw_splits(root, splits: list[tuple]) -> None:
    """The pictures of gateways added right after activities: (activity, gateway, the flow from the
    activity to it, the flows now leaving from it) each."""
    if not splits:
        return
    planes = []
    for plane in root.iter(f"{BPMNDI}BPMNPlane"):
        planes.append((plane, {s.get("bpmnElement"): s for s in plane.iter(f"{BPMNDI}BPMNShape")},
                       {e.get("bpmnElement"): e for e in plane.iter(f"{BPMNDI}BPMNEdge")}))
    for node, gateway, link, outgoing in splits:
        for plane, shapes, edges in planes:
            if node.get("id") in shapes:
                _draw_split(plane, shapes, edges, node, gateway, link, outgoing)
                break


def _draw_split(plane, shapes, edges, node, gateway, link, outgoing) -> None:
    box = _bounds(shapes[node.get("id")])
    if not box:
        return
    size = 36.0
    gx, gy = box[0] + box[2] + 22, box[1] + box[3] / 2 - size / 2
    shape = etree.SubElement(plane, f"{BPMNDI}BPMNShape", id=f"{gateway.get('id')}_di", bpmnElement=gateway.get("id"))
    _set_bounds(shape, gx, gy, size, size)
    shapes[gateway.get("id")] = shape
    edge = etree.SubElement(plane, f"{BPMNDI}BPMNEdge", id=f"{link.get('id')}_di", bpmnElement=link.get("id"))
    for x, y in ((box[0] + box[2], gy + size / 2), (gx, gy + size / 2)):
        etree.SubElement(edge, f"{DI}waypoint", x=f"{x:g}", y=f"{y:g}")
    for flow in outgoing:
        flow_edge = edges.get(flow.get("id"))
        points = flow_edge.findall(f"{DI}waypoint") if flow_edge is not None else []
        if points:
            points[0].set("x", f"{gx + size:g}")
            points[0].set("y", f"{gy + size / 2:g}")

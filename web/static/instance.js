/* slaflow instance page: each diagram of the deployed version in the bpmn-js viewer, elements marked. */
(function () {
  "use strict";
  var cfgNode = document.getElementById("instance-config");
  if (!cfgNode || !window.BpmnJS) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var viewer = new window.BpmnJS({ container: "#diagram" });
  var tabs = document.getElementById("diagram-tabs");

  function show(index) {
    var diagram = cfg.diagrams[index];
    Array.prototype.forEach.call(tabs.children, function (b, i) { b.setAttribute("aria-selected", i === index); });
    viewer.importXML(diagram.xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      var current = [];
      diagram.process_ids.forEach(function (pid) {
        var states = cfg.states[pid] || {};
        Object.keys(states).forEach(function (id) {
          if (!registry.get(id)) return;
          canvas.addMarker(id, "state-" + states[id]);
          if (states[id] === "current") current.push(registry.get(id));
        });
      });
      readable(canvas, current);
      document.getElementById("diagram").setAttribute("data-rendered", diagram.file);
    }).catch(function (err) {
      document.getElementById("diagram").textContent = String(err && err.message || err);
    });
  }

  /* a long diagram fitted into the box is too small to read (stage 3 is many rounds wide): never below
     MIN_ZOOM; the view then centres on where the workflow waits, and can be dragged or zoomed */
  var MIN_ZOOM = 0.75;
  function readable(canvas, current) {
    if (canvas.zoom() >= MIN_ZOOM) return;
    var box = canvas.viewbox(), focus = current[0], cx, cy;
    if (focus) {
      cx = focus.x + focus.width / 2; cy = focus.y + focus.height / 2;
    } else {  // the start of the diagram
      cx = box.inner.x + box.outer.width / (2 * MIN_ZOOM); cy = box.inner.y + box.inner.height / 2;
    }
    canvas.zoom(MIN_ZOOM);
    var vb = canvas.viewbox(), inner = box.inner, pad = 20;
    // centred on the focus, but never past the diagram's edges (no empty band above or beside it)
    canvas.viewbox({ x: within(cx - vb.width / 2, inner.x - pad, inner.x + inner.width + pad - vb.width),
                     y: within(cy - vb.height / 2, inner.y - pad, inner.y + inner.height + pad - vb.height),
                     width: vb.width, height: vb.height });
  }
  function within(value, low, high) {
    return high < low ? (low + high) / 2 : Math.min(Math.max(value, low), high);
  }
  var zoomBar = document.getElementById("diagram-zoom");
  if (zoomBar) {
    zoomBar.addEventListener("click", function (e) {
      var step = e.target.getAttribute("data-zoom");
      if (!step) return;
      var canvas = viewer.get("canvas");
      if (step === "fit") canvas.zoom("fit-viewport", "auto");
      else canvas.zoom(Math.max(0.2, Math.min(3, canvas.zoom() * (step === "in" ? 1.25 : 0.8))));
    });
  }

  cfg.diagrams.forEach(function (d, i) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "tab"; b.textContent = d.title || d.file.replace(/\.bpmn$/, "");
    b.setAttribute("role", "tab");
    b.addEventListener("click", function () { show(i); });
    tabs.appendChild(b);
  });
  if (cfg.diagrams.length) show(0);
})();

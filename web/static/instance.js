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
      diagram.process_ids.forEach(function (pid) {
        var states = cfg.states[pid] || {};
        Object.keys(states).forEach(function (id) {
          if (registry.get(id)) canvas.addMarker(id, "state-" + states[id]);
        });
      });
      document.getElementById("diagram").setAttribute("data-rendered", diagram.file);
    }).catch(function (err) {
      document.getElementById("diagram").textContent = String(err && err.message || err);
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

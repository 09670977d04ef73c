/* slaflow process designer: bpmn-js modeler, a properties panel for what slaflow needs, forms editor,
 * validation shown on the elements, save / deploy. Configuration comes from #designer-config. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("designer-config").textContent);
  var M = cfg.messages;
  var files = cfg.files, forms = cfg.forms, examples = cfg.examples;
  var names = cfg.order || Object.keys(files).sort();
  var current = null, dirty = false, busy = false;
  var statusNode = document.getElementById("designer-status");
  var modeler = new window.BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: cfg.moddle },
                                     additionalModules: window.slaflowTranslate ? [window.slaflowTranslate.module] : [] });
  var tr = window.slaflowTranslate ? window.slaflowTranslate.translate : function (t) { return t; };
  // "bpmn:UserTask" -> "User task" (the modeler's own name, then in Thai)
  function typeName(type) { var words = type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(); return tr(words.charAt(0).toUpperCase() + words.slice(1)); }
  var S = "spiffworkflow:";

  function say(text, kind) { statusNode.textContent = text; statusNode.className = "form-status " + (kind || ""); }
  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k]; else if (attrs[k] !== undefined && attrs[k] !== null) n.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function markDirty() { dirty = true; say(M.unsaved, "warn"); }

  // ---- files (tabs) ---------------------------------------------------------------------------------
  var tabs = document.getElementById("file-tabs");
  function drawTabs() {
    tabs.innerHTML = "";
    names.forEach(function (name) {
      var b = el("button", { type: "button", "class": "tab", role: "tab", "aria-controls": "canvas",
                             "aria-selected": String(name === current), text: name.replace(/\.bpmn$/, "") });
      b.addEventListener("click", function () { open(name); });
      tabs.appendChild(b);
    });
  }
  function stash() {
    if (current === null) return Promise.resolve();
    return modeler.saveXML({ format: true }).then(function (r) { files[current] = r.xml; });
  }
  function open(name) {
    return stash().then(function () {
      current = name;
      drawTabs();
      return modeler.importXML(files[name]);
    }).then(function (result) {
      modeler.get("canvas").zoom("fit-viewport");
      document.getElementById("canvas").setAttribute("data-file", name);
      if (result && result.warnings && result.warnings.length) say(M.importWarnings + " " + result.warnings.length, "warn");
      showProblems(lastProblems);
      renderPanel(null);
    }).catch(function (err) { say(M.importFailed + ": " + (err && err.message || err), "bad"); });
  }
  modeler.on("commandStack.changed", markDirty);

  // ---- properties panel -----------------------------------------------------------------------------
  var panel = document.getElementById("panel");
  function ext(bo, type) {
    var values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.filter(function (v) { return v.$type === type; })[0];
  }
  function setExt(element, type, make) {
    var bo = element.businessObject, moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    var container = bo.extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
    var values = (container.values || []).filter(function (v) { return v.$type !== type; });
    var created = make(moddle);
    if (created) values.push(created);
    container.values = values;
    modeling.updateProperties(element, { extensionElements: container });
  }
  function formOf(bo) {
    var props = ext(bo, S + "Properties");
    var p = props && (props.properties || []).filter(function (x) { return x.name === "formJsonSchemaFilename"; })[0];
    return p ? p.value : "";
  }
  var fieldSeq = 0;
  function field(label, control, help) {
    if (!control.id) control.id = "panel-field-" + (++fieldSeq);
    var box = el("div", { "class": "field" }, [el("label", { text: label, "for": control.id }), control]);
    if (help) box.appendChild(el("p", { "class": "help", text: help }));
    panel.appendChild(box);
    return control;
  }
  function input(value, onchange, attrs) {
    var i = el("input", Object.assign({ type: "text", value: value || "" }, attrs || {}));
    i.addEventListener("change", function () { onchange(i.value); });
    return i;
  }
  function area(value, onchange, rows) {
    var t = el("textarea", { rows: rows || 4 });
    t.value = value || "";
    t.addEventListener("change", function () { onchange(t.value); });
    return t;
  }
  function select(options, value, onchange) {
    var s = el("select");
    s.appendChild(el("option", { value: "", text: M.choose }));
    options.forEach(function (o) {
      var opt = el("option", { value: o[0], text: o[1] });
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }
  function bodyOf(expr) { return expr ? (expr.body || "") : ""; }

  function renderPanel(element) {
    panel.innerHTML = "";
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    if (!element) { panel.appendChild(el("p", { "class": "muted", text: M.selectSomething })); return; }
    var bo = element.businessObject, type = bo.$type.replace("bpmn:", "");
    panel.appendChild(el("h3", { text: typeName(type) + " · " + bo.id }));
    field(M.name, input(bo.name, function (v) { modeling.updateLabel(element, v); }));
    if (type === "Lane") {
      field(M.role, select(cfg.laneNames.map(function (n) { return [n, n]; }), bo.name,
                           function (v) { if (v) modeling.updateLabel(element, v); }), M.roleHelp);
    }
    if (type === "Process" || type === "Participant") {
      var proc = type === "Participant" ? bo.processRef : bo;
      if (proc) {
        var box = el("input", { type: "checkbox" });
        box.checked = !!proc.isExecutable;
        box.addEventListener("change", function () { modeling.updateModdleProperties(element, proc, { isExecutable: box.checked }); });
        field(M.executable, box);
      }
    }
    if (type === "UserTask") {
      var formSel = select(Object.keys(forms).concat(cfg.formsDir).filter(function (v, i, a) { return a.indexOf(v) === i; })
                             .sort().map(function (f) { return [f, f]; }), formOf(bo), function (v) {
        setExt(element, S + "Properties", function (m) {
          return v ? m.create(S + "Properties", { properties: [m.create(S + "Property", { name: "formJsonSchemaFilename", value: v })] }) : null;
        });
        renderForms();
      });
      field(M.form, formSel, M.formHelp);
      var instr = ext(bo, S + "InstructionsForEndUser");
      field(M.instructions, area(instr ? instr.value : "", function (v) {
        setExt(element, S + "InstructionsForEndUser", function (m) { return v ? m.create(S + "InstructionsForEndUser", { value: v }) : null; });
      }));
      var attached = (element.attachers || []).filter(function (a) { return a.businessObject.eventDefinitions && a.businessObject.eventDefinitions[0].$type === "bpmn:TimerEventDefinition"; });
      panel.appendChild(el("p", { "class": "help", text: attached.length ? M.hasDue : M.noDue }));
    }
    if (type === "ServiceTask") {
      var op = ext(bo, S + "ServiceTaskOperator");
      field(M.handler, select(cfg.handlers.map(function (h) { return [h, h]; }), op ? op.id : "", function (v) {
        setExt(element, S + "ServiceTaskOperator", function (m) {
          if (!v) return null;
          var keep = op && op.id === v ? op : m.create(S + "ServiceTaskOperator", { id: v });
          keep.id = v;
          return keep;
        });
      }));
    }
    if (type === "ScriptTask") {
      field(M.script, area(bo.script, function (v) { modeling.updateProperties(element, { script: v }); }, 6), M.scriptHelp);
    }
    if (type === "SequenceFlow") {
      field(M.condition, input(bodyOf(bo.conditionExpression), function (v) {
        modeling.updateProperties(element, { conditionExpression: v ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined });
      }), M.conditionHelp);
    }
    var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
    if (timer) {
      // a date (a due date, a report date), a duration (after so long) or a cycle (every so often)
      var kind = timer.timeCycle ? "timeCycle" : (timer.timeDuration ? "timeDuration" : "timeDate");
      var kinds = [["timeDate", M.timerDate], ["timeDuration", M.timerDuration], ["timeCycle", M.timerCycle]];
      var exprBox, helpers = el("div", { "class": "helpers" });
      function setTimer(which, body) {
        var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
        props[which] = moddle.create("bpmn:FormalExpression", { body: body });
        modeling.updateModdleProperties(element, timer, props);
      }
      function showHelpers() {
        helpers.innerHTML = "";
        (cfg.timerExamples[kind] || []).forEach(function (example) {
          var b = el("button", { type: "button", "class": "small secondary", text: example });
          b.addEventListener("click", function () { exprBox.value = example; exprBox.dispatchEvent(new Event("change")); });
          helpers.appendChild(b);
        });
        exprHelp.textContent = M.timerHelps[kind];
      }
      field(M.timerKind, select(kinds, kind, function (v) {
        kind = v; setTimer(kind, exprBox.value); showHelpers();
      }));
      exprBox = field(M.timer, input(bodyOf(timer[kind]), function (v) { setTimer(kind, v); }), M.timerHelps[kind]);
      var exprHelp = exprBox.parentNode.querySelector(".help") || el("p", { "class": "help" });
      panel.appendChild(helpers);
      showHelpers();
      if (type === "BoundaryEvent") {
        var cancel = el("input", { type: "checkbox" });
        cancel.checked = bo.cancelActivity !== false;
        cancel.addEventListener("change", function () { modeling.updateProperties(element, { cancelActivity: cancel.checked }); });
        field(M.interrupting, cancel, M.interruptingHelp);
      }
    }
  }
  modeler.on("selection.changed", function (e) { renderPanel(e.newSelection.length === 1 ? e.newSelection[0] : null); });
  modeler.on("element.changed", function (e) {
    var sel = modeler.get("selection").get();
    if (sel.length === 1 && sel[0] === e.element && document.activeElement === document.body) renderPanel(e.element);
  });

  // ---- forms editor ---------------------------------------------------------------------------------
  var formList = document.getElementById("form-list"), schemaBox = document.getElementById("form-schema");
  var exampleBox = document.getElementById("form-example"), preview = document.getElementById("form-preview");
  var formError = document.getElementById("form-error"), editing = null;
  function renderForms() {
    formList.innerHTML = "";
    Object.keys(forms).sort().forEach(function (ref) {
      var b = el("button", { type: "button", "class": "tab", "aria-pressed": String(ref === editing), text: ref });
      b.addEventListener("click", function () { editForm(ref); });
      formList.appendChild(b);
    });
  }
  function editForm(ref) {
    editing = ref;
    schemaBox.value = JSON.stringify(forms[ref], null, 2);
    exampleBox.value = JSON.stringify(examples[ref] || {}, null, 2);
    renderForms();
    livePreview();
  }
  function livePreview() {
    if (!editing) return;
    try {
      var schema = JSON.parse(schemaBox.value), example = JSON.parse(exampleBox.value || "{}");
      forms[editing] = schema; examples[editing] = example;
      formError.textContent = "";
      new window.SlaForm(preview, schema, example, { lang: cfg.lang });
    } catch (e) { formError.textContent = M.badJson + ": " + e.message; }
  }
  [schemaBox, exampleBox].forEach(function (box) { box.addEventListener("input", function () { markDirty(); livePreview(); }); });
  document.getElementById("new-form").addEventListener("click", function () {
    var ref = (document.getElementById("new-form-ref").value || "").trim();
    if (!/^[a-z0-9_\/-]+\.schema\.json$/.test(ref)) { formError.textContent = M.formRef; return; }
    if (!forms[ref]) forms[ref] = { "$schema": "https://json-schema.org/draft/2020-12/schema", type: "object", title: M.newFormTitle, properties: {}, additionalProperties: false };
    markDirty(); editForm(ref);
  });

  // ---- server: save, validate, deploy ------------------------------------------------------------------
  function post(url, payload) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(payload),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrfToken } })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; }); });
  }
  function save() {
    return stash().then(function () {
      return post(cfg.saveUrl, { files: files, forms: forms, examples: examples, title: document.getElementById("draft-title").value });
    }).then(function (res) {
      if (res.status !== 200) { say((res.body.detail || res.body.error || M.failed), "bad"); showProblems(res.body.problems || []); throw new Error("save"); }
      dirty = false; say(M.saved + " " + res.body.saved_at, "ok");
      return res;
    });
  }
  var lastProblems = [];
  function showProblems(problems) {
    lastProblems = problems || [];
    var overlays = modeler.get("overlays"), registry = modeler.get("elementRegistry");
    overlays.remove({ type: "problem" });
    var list = document.getElementById("problems");
    list.innerHTML = "";
    lastProblems.forEach(function (p) {
      var target = p.element_id && registry.get(p.element_id);
      if (target) {
        overlays.add(target, "problem", { position: { top: -12, right: 12 },
          html: '<div class="problem-badge ' + p.severity + '" title="' + p.message.replace(/"/g, "&quot;") + '">!</div>' });
      }
      var item = el("li", { "class": p.severity, "data-element": p.element_id || "" },
        [el("strong", { text: (p.element_id ? p.element_id + (p.element_name ? " “" + p.element_name + "”" : "") : p.filename || "-") + ": " }),
         document.createTextNode(p.message)]);
      item.addEventListener("click", function () {
        var found = p.element_id && registry.get(p.element_id);
        if (!found && p.filename && files[p.filename] && p.filename !== current) { open(p.filename); return; }
        if (found) { modeler.get("selection").select(found); modeler.get("canvas").scrollToElement(found); }
      });
      list.appendChild(item);
    });
    document.getElementById("problem-count").textContent = String(lastProblems.filter(function (p) { return p.severity === "error"; }).length);
  }
  function validate() {
    return save().then(function () { return post(cfg.validateUrl, {}); }).then(function (res) {
      showProblems(res.body.problems || []);
      var errors = (res.body.problems || []).filter(function (p) { return p.severity === "error"; }).length;
      say(errors ? M.hasErrors : M.valid, errors ? "bad" : "ok");
      return errors;
    });
  }
  document.getElementById("save").addEventListener("click", function () { save().catch(function () {}); });
  document.getElementById("validate").addEventListener("click", function () { validate().catch(function () {}); });
  document.getElementById("deploy").addEventListener("click", function () {
    if (busy) return;
    var note = document.getElementById("deploy-note").value.trim();
    if (!note) { say(M.noteRequired, "bad"); document.getElementById("deploy-note").focus(); return; }
    busy = true;
    validate().then(function (errors) {
      if (errors) { busy = false; return; }
      var chosen = document.getElementById("deploy-process");
      return post(cfg.deployUrl, { note: note, process_id: chosen ? chosen.value : null }).then(function (res) {
        busy = false;
        if (res.status === 200) {
          say((res.body.created ? M.deployed : M.unchanged) + " " + res.body.version, "ok");
          var link = document.getElementById("deployed-link");
          link.href = res.body.url; link.hidden = false;
        } else { showProblems(res.body.problems || []); say(res.body.detail || res.body.error || M.failed, "bad"); }
      });
    }).catch(function () { busy = false; });
  });

  // ---- files: new diagram, upload, downloads -------------------------------------------------------
  function download(name, content, type) {
    var a = el("a", { href: URL.createObjectURL(new Blob([content], { type: type })), download: name });
    document.body.appendChild(a); a.click(); a.remove();
  }
  document.getElementById("download-xml").addEventListener("click", function () {
    stash().then(function () { download(current, files[current], "application/xml"); });
  });
  document.getElementById("download-svg").addEventListener("click", function () {
    modeler.saveSVG().then(function (r) { download(current.replace(/\.bpmn$/, ".svg"), r.svg, "image/svg+xml"); });
  });
  document.getElementById("add-diagram").addEventListener("click", function () {
    var name = "process_" + (names.length + 1) + ".bpmn";
    var pid = name.replace(/\.bpmn$/, "");
    files[name] = cfg.blank.split("{pid}").join(pid).split("{name}").join(pid);
    names.push(name); markDirty(); open(name);
  });

  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  window.slaflowDesigner = { modeler: modeler, files: files, forms: forms, open: open, save: save, validate: validate };
  renderForms();
  if (Object.keys(forms).length) editForm(Object.keys(forms).sort()[0]);
  open(names[0]).then(function () { showProblems(cfg.problems || []); dirty = false; say(""); });
})();

/* slaflow: renders a task's JSON Schema as a form, collects the data, shows server errors by field.
 * No framework; served by the app (no CDN). Field paths match the server's error paths: "a.b.0.c". */
(function () {
  "use strict";

  var T = {
    th: { add: "เพิ่มรายการ", remove: "ลบ", up: "เลื่อนขึ้น", down: "เลื่อนลง", choose: "— เลือก —",
          upload: "แนบไฟล์", uploading: "กำลังอัปโหลด…", uploadFailed: "อัปโหลดไม่สำเร็จ", row: "รายการที่",
          none: "ไม่มีข้อมูล", yes: "ใช่", no: "ไม่ใช่", required: "จำเป็นต้องกรอก" },
    en: { add: "Add a row", remove: "Remove", up: "Move up", down: "Move down", choose: "— choose —",
          upload: "Attach a file", uploading: "Uploading…", uploadFailed: "Upload failed", row: "Row",
          none: "Nothing entered", yes: "Yes", no: "No", required: "required" }
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function join(path, key) { return path === "" ? String(key) : path + "." + key; }
  // ids of a form's fields: "f-" for the form being filled, another prefix for a reference shown beside it
  function fieldId(prefix, path) { return prefix + path.replace(/[^A-Za-z0-9_-]/g, "-"); }

  function Form(container, schema, data, options) {
    this.root = schema || {};
    this.opts = options || {};
    this.t = T[this.opts.lang === "en" ? "en" : "th"];
    this.readonly = !!this.opts.readonly;
    this.container = container;
    this.dirty = false;
    this.idPrefix = this.opts.idPrefix || "f-";
    container.innerHTML = "";
    container.classList.add("slaform");
    this.node = this.render(this.root, data === undefined ? {} : data, "", true);
    container.appendChild(this.node.element);
  }

  Form.prototype.fid = function (path) { return fieldId(this.idPrefix, path); };

  Form.prototype.resolve = function (schema) {
    if (schema && schema.$ref && schema.$ref.indexOf("#/$defs/") === 0) {
      return (this.root.$defs || {})[schema.$ref.slice(8)] || {};
    }
    return schema || {};
  };

  Form.prototype.changed = function () {
    this.dirty = true;
    if (this.opts.onChange) this.opts.onChange();
  };

  Form.prototype.label = function (schema, path, required) {
    var text = schema.title || path.split(".").pop();
    var label = el("label", { "for": this.fid(path), className: "field-label" }, [document.createTextNode(text)]);
    if (required && !this.readonly) label.appendChild(el("span", { className: "req", title: this.t.required, text: " *" }));
    return label;
  };

  Form.prototype.wrap = function (schema, path, required, control) {
    var box = el("div", { className: "field", "data-path": path });
    box.appendChild(this.label(schema, path, required));
    if (schema.description) box.appendChild(el("p", { className: "help", text: schema.description }));
    box.appendChild(control);
    return box;
  };

  Form.prototype.render = function (schema, value, path, required) {
    schema = this.resolve(schema);
    var type = schema.type;
    if (schema["x-widget"] === "file") return this.renderFiles({ title: schema.title, items: schema, maxItems: 1 }, value ? [value] : [], path, required, true);
    if (type === "object") return this.renderObject(schema, value || {}, path);
    if (type === "array") {
      var items = this.resolve(schema.items);
      if (items["x-widget"] === "file") return this.renderFiles(schema, value || [], path, required, false);
      if (items.type === "string" && items.enum) return this.renderChoices(schema, items, value || [], path, required);
      return this.renderRows(schema, items, value || [], path, required);
    }
    if (type === "boolean") return this.renderBoolean(schema, value, path);
    return this.renderScalar(schema, value, path, required);
  };

  /* A group's heading: its title; a repeated row untitled: "รายการที่ 2"; else the field's own name. */
  Form.prototype.heading = function (schema, path) {
    if (schema.title) return schema.title;
    var last = path.split(".").pop();
    return /^[0-9]+$/.test(last) ? this.t.row + " " + (parseInt(last, 10) + 1) : last;
  };

  Form.prototype.renderObject = function (schema, value, path) {
    var self = this, parts = {}, req = schema.required || [];
    var element = path === "" ? el("div", { className: "form-root" }) :
      el("fieldset", { className: "group", "data-path": path }, [el("legend", { text: this.heading(schema, path) })]);
    if (path !== "" && schema.description) element.appendChild(el("p", { className: "help", text: schema.description }));
    Object.keys(schema.properties || {}).forEach(function (key) {
      var child = self.render(schema.properties[key], value[key], join(path, key), req.indexOf(key) >= 0);
      parts[key] = child;
      element.appendChild(child.element);
    });
    return { element: element, get: function () {
      var out = {};
      Object.keys(parts).forEach(function (k) {
        var v = parts[k].get();
        if (v !== undefined) out[k] = v;
      });
      return out;
    } };
  };

  var MONTHS_TH = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
  var MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  Form.prototype.display = function (schema, value) {
    if (value === undefined || value === null || value === "") return this.t.none;
    if (schema.enum) {
      var i = schema.enum.indexOf(value);
      return i >= 0 && schema["x-enum-titles"] ? schema["x-enum-titles"][i] : String(value);
    }
    if (schema.format === "date" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {  // B.E. in both languages
      var parts = value.split("-"), en = this.opts.lang === "en";
      return Number(parts[2]) + " " + (en ? MONTHS_EN : MONTHS_TH)[Number(parts[1]) - 1] + " " +
        (Number(parts[0]) + 543) + (en ? " B.E." : "");
    }
    return String(value);
  };

  Form.prototype.renderScalar = function (schema, value, path, required) {
    var self = this, control, id = this.fid(path);
    if (this.readonly) {
      control = el("div", { id: id, className: "value", text: this.display(schema, value) });
      return { element: this.wrap(schema, path, false, control), get: function () { return value; } };
    }
    if (schema.enum) {
      control = el("select", { id: id, name: path, disabled: this.readonly });
      control.appendChild(el("option", { value: "", text: this.t.choose }));
      schema.enum.forEach(function (v, i) {
        var title = (schema["x-enum-titles"] || [])[i] || String(v);
        var opt = el("option", { value: String(v), text: title });
        if (value !== undefined && String(value) === String(v)) opt.selected = true;
        control.appendChild(opt);
      });
    } else if (schema.type === "string" && (schema["x-widget"] === "textarea" || (schema.maxLength || 0) > 2000)) {
      control = el("textarea", { id: id, name: path, rows: 4, maxlength: schema.maxLength, disabled: this.readonly });
      control.value = value === undefined ? "" : value;
    } else {
      var inputType = "text";
      if (schema.type === "number" || schema.type === "integer") inputType = "number";
      else if (schema.format === "date") inputType = "date";
      else if (schema.format === "uri") inputType = "url";
      else if (schema.format === "email") inputType = "email";
      control = el("input", { id: id, name: path, type: inputType, maxlength: schema.maxLength,
                              min: schema.minimum, max: schema.maximum, disabled: this.readonly,
                              step: schema.type === "integer" ? "1" : (schema.type === "number" ? "any" : null) });
      control.value = value === undefined || value === null ? "" : value;
    }
    control.addEventListener("input", function () { self.changed(); });
    control.addEventListener("change", function () { self.changed(); });
    return { element: this.wrap(schema, path, required, control), get: function () {
      var raw = control.value;
      if (raw === "") return undefined;
      if (schema.type === "integer") { var i = Number(raw); return Number.isInteger(i) ? i : raw; }
      if (schema.type === "number") { var n = Number(raw); return isNaN(n) ? raw : n; }
      if (schema.enum && typeof schema.enum[0] === "number") return Number(raw);
      return raw;
    } };
  };

  Form.prototype.renderBoolean = function (schema, value, path) {
    var self = this;
    if (this.readonly) {
      return { element: this.wrap(schema, path, false, el("div", { className: "value", text: value === true ? this.t.yes : this.t.no })),
               get: function () { return value; } };
    }
    var box = el("input", { id: this.fid(path), name: path, type: "checkbox", disabled: this.readonly });
    box.checked = value === true;
    box.addEventListener("change", function () { self.changed(); });
    var wrapper = el("div", { className: "field checkbox", "data-path": path },
                     [box, el("label", { "for": this.fid(path), text: " " + this.heading(schema, path) })]);
    return { element: wrapper, get: function () { return box.checked; } };
  };

  Form.prototype.renderChoices = function (schema, items, value, path, required) {
    var self = this, boxes = [];
    if (this.readonly) {
      var list = el("ul", { className: "value" });
      value.forEach(function (v) { list.appendChild(el("li", { text: self.display(items, v) })); });
      if (!value.length) list.appendChild(el("li", { className: "muted", text: this.t.none }));
      return { element: this.wrap(schema, path, false, list), get: function () { return value; } };
    }
    var group = el("div", { className: "choices", id: this.fid(path) });
    items.enum.forEach(function (v, i) {
      var id = self.fid(path) + "-" + i;
      var box = el("input", { id: id, type: "checkbox", value: v, disabled: self.readonly });
      box.checked = value.indexOf(v) >= 0;
      box.addEventListener("change", function () { self.changed(); });
      boxes.push(box);
      group.appendChild(el("div", { className: "choice" },
        [box, el("label", { "for": id, text: " " + ((items["x-enum-titles"] || [])[i] || v) })]));
    });
    return { element: this.wrap(schema, path, required, group), get: function () {
      return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    } };
  };

  Form.prototype.renderRows = function (schema, items, value, path, required) {
    var self = this, rows = value.slice(), parts = [];
    var list = el("div", { className: "rows" });
    var element = el("fieldset", { className: "group rows-group", "data-path": path },
                     [el("legend", { text: this.heading(schema, path) + (required && !this.readonly ? " *" : "") })]);
    if (schema.description) element.appendChild(el("p", { className: "help", text: schema.description }));
    element.appendChild(list);
    function current() { return parts.map(function (p) { return p.get(); }); }
    function draw() {
      list.innerHTML = "";
      parts = [];
      if (!rows.length && self.readonly) list.appendChild(el("p", { className: "muted", text: self.t.none }));
      rows.forEach(function (row, i) {
        var part = self.render(items, row, join(path, i), false);
        var card = el("div", { className: "row-card", "data-path": join(path, i) },
                      [el("div", { className: "row-title", text: self.t.row + " " + (i + 1) })]);
        card.appendChild(part.element);
        if (!self.readonly) {
          var tools = el("div", { className: "row-tools" });
          [["up", -1], ["down", 1]].forEach(function (spec) {
            var b = el("button", { type: "button", className: "small", text: self.t[spec[0]],
                                   disabled: (spec[1] < 0 && i === 0) || (spec[1] > 0 && i === rows.length - 1) });
            b.addEventListener("click", function () {
              rows = current(); var j = i + spec[1]; var tmp = rows[i]; rows[i] = rows[j]; rows[j] = tmp;
              draw(); self.changed();
            });
            tools.appendChild(b);
          });
          var del = el("button", { type: "button", className: "small danger", text: self.t.remove });
          del.addEventListener("click", function () { rows = current(); rows.splice(i, 1); draw(); self.changed(); });
          tools.appendChild(del);
          card.appendChild(tools);
        }
        parts.push(part);
        list.appendChild(card);
      });
    }
    draw();
    if (!this.readonly) {
      var add = el("button", { type: "button", className: "add-row", text: "+ " + this.t.add });
      add.addEventListener("click", function () {
        if (schema.maxItems && parts.length >= schema.maxItems) return;
        rows = current(); rows.push(items.type === "object" ? {} : undefined); draw(); self.changed();
      });
      element.appendChild(add);
    }
    return { element: element, get: function () { return current(); } };
  };

  Form.prototype.renderFiles = function (schema, value, path, required, single) {
    var self = this, files = value.filter(Boolean).slice();
    var list = el("ul", { className: "files" });
    var status = el("span", { className: "muted", role: "status" });
    function draw() {
      list.innerHTML = "";
      if (!files.length && self.readonly) list.appendChild(el("li", { className: "muted", text: self.t.none }));
      files.forEach(function (f, i) {
        var link = el("a", { href: (self.opts.downloadUrl || "/files/") + f.file_id, text: f.name || ("#" + f.file_id) });
        var item = el("li", { "data-path": join(path, i) }, [link]);
        if (!self.readonly) {
          var del = el("button", { type: "button", className: "small danger", text: self.t.remove });
          del.addEventListener("click", function () { files.splice(i, 1); draw(); self.changed(); });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(del);
        }
        list.appendChild(item);
      });
    }
    draw();
    var control = el("div", { className: "file-field" }, [list]);
    if (!this.readonly && this.opts.uploadUrl) {
      var input = el("input", { type: "file", id: this.fid(path), accept: ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx" });
      input.addEventListener("change", function () {
        if (!input.files.length) return;
        var body = new FormData();
        body.append("file", input.files[0]);
        status.textContent = self.t.uploading;
        fetch(self.opts.uploadUrl, { method: "POST", body: body, credentials: "same-origin",
                                     headers: { "X-CSRFToken": self.opts.csrfToken, "Accept": "application/json" } })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
          .then(function (res) {
            if (!res.ok) throw new Error(res.body.detail || res.body.error || self.t.uploadFailed);
            if (single) files = [];
            files.push({ file_id: res.body.file_id, name: res.body.name });
            status.textContent = "";
            input.value = "";
            draw(); self.changed();
          })
          .catch(function (e) { status.textContent = self.t.uploadFailed + ": " + e.message; input.value = ""; });
      });
      control.appendChild(input);
      control.appendChild(status);
    }
    return { element: this.wrap(schema, path, required, control), get: function () {
      if (single) return files.length ? files[0] : undefined;
      return files.map(function (f) { return { file_id: f.file_id, name: f.name }; });
    } };
  };

  Form.prototype.getData = function () { return this.node.get(); };

  Form.prototype.clearErrors = function () {
    Array.prototype.forEach.call(this.container.querySelectorAll(".field-error"), function (n) { n.remove(); });
    Array.prototype.forEach.call(this.container.querySelectorAll(".has-error"), function (n) { n.classList.remove("has-error"); });
  };

  /* errors: {path: [message, ...]}; returns the number of messages that found no field */
  Form.prototype.showErrors = function (errors) {
    var self = this, unplaced = [], first = null;
    this.clearErrors();
    Object.keys(errors || {}).forEach(function (path) {
      var target = null, probe = path;
      while (probe !== null) {
        target = self.container.querySelector('[data-path="' + probe.replace(/"/g, "") + '"]');
        if (target || probe === "") break;
        probe = probe.indexOf(".") >= 0 ? probe.slice(0, probe.lastIndexOf(".")) : "";
      }
      (errors[path] || []).forEach(function (message) {
        if (!target || path === "_form") { unplaced.push(message); return; }
        target.classList.add("has-error");
        target.appendChild(el("p", { className: "field-error", role: "alert", text: message }));
        if (!first) first = target;
      });
    });
    if (first) first.scrollIntoView({ block: "center" });
    return unplaced;
  };

  window.SlaForm = Form;
})();

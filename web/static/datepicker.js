/* Dates typed and picked in the Buddhist Era: every <input type="date"> of a page (and those a form adds
   later) becomes a text field "วว/ดด/ปปปป" in B.E. with a calendar of Thai months, while the original
   input, now hidden, still carries the ISO date the server reads. Years typed as C.E. (2026) are taken
   as such; what cannot be read is said by the field, in the page's language. */
(function () {
  "use strict";
  var OFFSET = 543;
  var TEXT = {
    th: { months: ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
                   "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"],
          days: ["อา", "จ", "อ", "พ", "พฤ", "ศ", "ส"],
          placeholder: "วว/ดด/ปปปป (พ.ศ.)", open: "เลือกวันที่จากปฏิทิน", prev: "เดือนก่อน", next: "เดือนถัดไป",
          bad: "พิมพ์วันที่เป็น วว/ดด/ปปปป ปีพุทธศักราช เช่น 02/12/2569",
          early: "วันที่ต้องไม่ก่อน ", late: "วันที่ต้องไม่หลัง ", today: "วันนี้", close: "ปิด",
          long: function (d, m, y) { return d + " " + TEXT.th.months[m] + " พ.ศ. " + y; } },
    en: { months: ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"],
          days: ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"],
          placeholder: "dd/mm/yyyy (B.E.)", open: "Choose a date from the calendar", prev: "Previous month",
          next: "Next month", bad: "Type the date as dd/mm/yyyy in the Buddhist Era, e.g. 02/12/2569",
          early: "The date cannot be before ", late: "The date cannot be after ", today: "Today", close: "Close",
          long: function (d, m, y) { return d + " " + TEXT.en.months[m] + " " + y + " B.E."; } }
  };
  var lang = (document.documentElement.lang || "th").slice(0, 2) === "en" ? "en" : "th";
  var t = TEXT[lang];
  var seq = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(y, m, d) { return y + "-" + pad(m + 1) + "-" + pad(d); }
  function parseIso(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!m) return null;
    var date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return date.getUTCMonth() === +m[2] - 1 ? { y: +m[1], m: +m[2] - 1, d: +m[3] } : null;
  }
  function typed(d) { return pad(d.d) + "/" + pad(d.m + 1) + "/" + (d.y + OFFSET); }
  function longText(d) { return t.long(d.d, d.m, d.y + OFFSET); }

  /* "2/12/2569", "02-12-2569", "2.12.2026", "2569-12-02" -> ISO; "" for empty; null when it cannot be read */
  function parseTyped(text) {
    text = text.trim();
    if (!text) return "";
    var m = /^(\d{1,2})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{4})$/.exec(text);
    var isoTyped = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);  // 2569-12-02 or 2026-12-02, as pasted
    if (isoTyped) m = [text, isoTyped[3], isoTyped[2], isoTyped[1]];
    if (!m) return null;
    var year = +m[3];
    if (year >= 2400) year -= OFFSET;          // a Buddhist Era year
    else if (year < 1900 || year > 2200) return null;
    var value = iso(year, +m[2] - 1, +m[1]);
    return parseIso(value) && +m[1] >= 1 ? value : null;
  }

  function enhance(input) {
    if (input.dataset.bePicker || input.type !== "date") return;
    input.dataset.bePicker = "1";
    var id = input.id || ("be-date-" + (++seq));
    var min = parseIso(input.min), max = parseIso(input.max);
    var wrap = document.createElement("span");
    wrap.className = "be-date";
    var field = document.createElement("input");
    field.type = "text";
    field.inputMode = "numeric";
    field.autocomplete = "off";
    field.placeholder = t.placeholder;
    field.className = input.className;
    field.required = input.required;
    field.disabled = input.disabled;
    field.setAttribute("aria-describedby", id + "-long");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "be-date-open";
    button.disabled = input.disabled;
    button.setAttribute("aria-label", t.open);
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.textContent = "📅";
    var hint = document.createElement("span");
    hint.className = "be-date-long help";
    hint.id = id + "-long";
    hint.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(field);
    wrap.appendChild(button);
    wrap.appendChild(hint);
    wrap.appendChild(input);
    input.id = id + "-iso";
    field.id = id;  // the field's <label for=...> now names the text field
    input.type = "hidden";

    function show() {
      var d = parseIso(input.value);
      field.value = d ? typed(d) : (input.value || "");
      hint.textContent = d ? longText(d) : "";
    }
    function set(value) {
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function check() {
      var value = parseTyped(field.value), d = value ? parseIso(value) : null, message = "";
      if (value === null) message = t.bad;
      else if (d && min && value < input.min) message = t.early + longText(min);
      else if (d && max && value > input.max) message = t.late + longText(max);
      field.setCustomValidity(message);
      field.setAttribute("aria-invalid", message ? "true" : "false");
      hint.textContent = message || (d ? longText(d) : "");
      hint.classList.toggle("be-date-error", !!message);
      // what cannot be read still goes to the server, which refuses it by field: nothing is lost silently
      set(value === null ? field.value.trim() : value);
      return !message;
    }
    field.addEventListener("change", check);
    field.addEventListener("blur", function () { if (check() && parseIso(input.value)) show(); });
    button.addEventListener("click", function () { openCalendar(wrap, button, input, min, max, function (value) {
      set(value); show(); field.setCustomValidity(""); field.setAttribute("aria-invalid", "false");
      hint.classList.remove("be-date-error"); field.focus();
    }); });
    show();
  }

  function openCalendar(wrap, button, input, min, max, choose) {
    var old = document.querySelector(".be-calendar");
    if (old) { old.remove(); }
    var now = new Date();
    var selected = parseIso(input.value);
    var focus = selected || { y: now.getFullYear(), m: now.getMonth(), d: now.getDate() };
    var dialog = document.createElement("div");
    dialog.className = "be-calendar";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "false");
    var head = document.createElement("div");
    head.className = "be-calendar-head";
    var prev = document.createElement("button"), next = document.createElement("button");
    var title = document.createElement("span");
    title.setAttribute("aria-live", "polite");
    title.id = "be-calendar-title";
    dialog.setAttribute("aria-labelledby", title.id);
    [[prev, "‹", t.prev], [next, "›", t.next]].forEach(function (b) {
      b[0].type = "button"; b[0].textContent = b[1]; b[0].setAttribute("aria-label", b[2]);
    });
    head.appendChild(prev); head.appendChild(title); head.appendChild(next);
    var grid = document.createElement("table");
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    var foot = document.createElement("div");
    foot.className = "be-calendar-foot";
    var today = document.createElement("button"), close = document.createElement("button");
    today.type = close.type = "button";
    today.textContent = t.today; close.textContent = t.close;
    foot.appendChild(today); foot.appendChild(close);
    dialog.appendChild(head); dialog.appendChild(grid); dialog.appendChild(foot);
    wrap.appendChild(dialog);
    button.setAttribute("aria-expanded", "true");

    function allowed(value) { return !(min && value < input.min) && !(max && value > input.max); }
    function done(value) { shut(); if (value) choose(value); }
    function shut() {
      dialog.remove(); button.setAttribute("aria-expanded", "false");
      document.removeEventListener("mousedown", outside, true);
    }
    function outside(e) { if (!dialog.contains(e.target) && e.target !== button) shut(); }
    function move(days) {
      var date = new Date(Date.UTC(focus.y, focus.m, focus.d + days));
      focus = { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate() };
      draw(true);
    }
    function month(delta) {
      var last = new Date(Date.UTC(focus.y, focus.m + delta + 1, 0)).getUTCDate();
      var date = new Date(Date.UTC(focus.y, focus.m + delta, Math.min(focus.d, last)));
      focus = { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate() };
      draw(false);
    }
    function draw(takeFocus) {
      title.textContent = t.months[focus.m] + " " + (lang === "th" ? "พ.ศ. " : "") + (focus.y + OFFSET) +
        (lang === "en" ? " B.E." : "");
      grid.textContent = "";
      var row = grid.insertRow();
      t.days.forEach(function (name) {
        var th = document.createElement("th"); th.scope = "col"; th.textContent = name; row.appendChild(th);
      });
      var first = new Date(Date.UTC(focus.y, focus.m, 1)).getUTCDay();
      var count = new Date(Date.UTC(focus.y, focus.m + 1, 0)).getUTCDate();
      row = grid.insertRow();
      for (var i = 0; i < first; i++) row.insertCell();
      for (var d = 1; d <= count; d++) {
        if ((first + d - 1) % 7 === 0 && d > 1) row = grid.insertRow();
        var cell = row.insertCell(), value = iso(focus.y, focus.m, d), b = document.createElement("button");
        b.type = "button"; b.textContent = String(d); b.dataset.value = value;
        b.setAttribute("aria-label", longText({ y: focus.y, m: focus.m, d: d }));
        b.tabIndex = d === focus.d ? 0 : -1;
        if (selected && value === iso(selected.y, selected.m, selected.d)) b.setAttribute("aria-selected", "true");
        if (!allowed(value)) b.disabled = true;
        cell.appendChild(b);
      }
      if (takeFocus) grid.querySelector("button[tabindex='0']").focus();
    }
    prev.addEventListener("click", function () { month(-1); });
    next.addEventListener("click", function () { month(1); });
    close.addEventListener("click", function () { shut(); button.focus(); });
    today.addEventListener("click", function () {
      var value = iso(now.getFullYear(), now.getMonth(), now.getDate());
      if (allowed(value)) done(value);
    });
    grid.addEventListener("click", function (e) {
      var value = e.target.dataset && e.target.dataset.value;
      if (value && !e.target.disabled) done(value);
    });
    dialog.addEventListener("keydown", function (e) {
      var keys = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      if (e.key === "Escape") { e.preventDefault(); shut(); button.focus(); }
      else if (keys[e.key] && e.target.dataset && e.target.dataset.value) { e.preventDefault(); move(keys[e.key]); }
      else if (e.key === "PageUp" || e.key === "PageDown") { e.preventDefault(); month(e.key === "PageUp" ? -1 : 1); grid.querySelector("button[tabindex='0']").focus(); }
    });
    document.addEventListener("mousedown", outside, true);
    draw(true);
  }

  window.SlaDate = { enhance: enhance, parseTyped: parseTyped };
  window.slaEnhance("input[type=date]", enhance);
})();

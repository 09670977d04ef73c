/* slaflow task page: the form, save draft, submit, references. Configuration comes from #task-config. */
(function () {
  "use strict";
  var configNode = document.getElementById("task-config");
  if (!configNode) return;
  var cfg = JSON.parse(configNode.textContent);
  var messages = cfg.messages;
  var status = document.getElementById("form-status");
  var formErrors = document.getElementById("form-errors");

  function say(text, kind) {
    status.textContent = text;
    status.className = "form-status " + (kind || "");
  }

  var form = new window.SlaForm(document.getElementById("task-form"), cfg.schema, cfg.data, {
    readonly: cfg.readonly, lang: cfg.lang, uploadUrl: cfg.uploadUrl, downloadUrl: cfg.downloadUrl,
    csrfToken: cfg.csrfToken, onChange: function () { say(messages.unsaved, "warn"); }
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-reference]"), function (node) {
    var ref = cfg.references[Number(node.getAttribute("data-reference"))];
    new window.SlaForm(node, ref.schema, ref.data, { readonly: true, lang: cfg.lang, downloadUrl: cfg.downloadUrl,
                                                    idPrefix: "ref" + node.getAttribute("data-reference") + "-" });
  });

  if (cfg.readonly) return;

  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrfToken },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function showProblems(res) {
    formErrors.innerHTML = "";
    var unplaced = form.showErrors(res.body.errors || {});
    var lines = unplaced.slice();
    if (res.body.detail) lines.unshift(res.body.detail);
    if (!lines.length && res.body.error) lines.push(res.body.error);
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      formErrors.appendChild(p);
    });
    formErrors.hidden = !lines.length;
  }

  var busy = false;
  function saveDraft(quiet) {
    if (busy) return Promise.resolve();
    busy = true;
    if (!quiet) say(messages.saving);
    return post(cfg.draftUrl, form.getData()).then(function (res) {
      busy = false;
      if (res.status === 200) { form.dirty = false; say(messages.saved + " " + (res.body.saved_at || ""), "ok"); }
      else { showProblems(res); say(res.body.error || messages.failed, "bad"); }
    }).catch(function () { busy = false; say(messages.offline, "bad"); });
  }

  document.getElementById("save-draft").addEventListener("click", function () { saveDraft(false); });
  document.getElementById("submit-task").addEventListener("click", function () {
    if (busy) return;
    busy = true;
    say(messages.submitting);
    post(cfg.submitUrl, form.getData()).then(function (res) {
      busy = false;
      if (res.status === 200) { form.dirty = false; window.location.assign(res.body.redirect); return; }
      showProblems(res);
      say(res.body.error || messages.failed, "bad");
    }).catch(function () { busy = false; say(messages.offline, "bad"); });
  });

  // nothing typed is lost: autosave every 30 seconds and warn before leaving with unsaved changes
  window.setInterval(function () { if (form.dirty) saveDraft(true); }, 30000);
  window.addEventListener("beforeunload", function (event) {
    if (form.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();

/* File inputs in the page's language: the browser's own button and "No file chosen" follow its locale,
   not the page's. Each <input type="file"> stays (focusable, labelled, what forms post) but is hidden
   behind a button and a line naming the files chosen, in Thai or English. */
(function () {
  "use strict";
  var en = (document.documentElement.lang || "th").slice(0, 2) === "en";
  var T = en ? { choose: "Choose file", chooseMany: "Choose files", none: "No file chosen", files: " files" }
             : { choose: "เลือกไฟล์", chooseMany: "เลือกไฟล์", none: "ยังไม่ได้เลือกไฟล์", files: " ไฟล์" };
  var seq = 0;

  function enhance(input) {
    if (input.dataset.fileUi) return;
    input.dataset.fileUi = "1";
    if (!input.id) input.id = "file-input-" + (++seq);
    var wrap = document.createElement("span");
    wrap.className = "file-ui";
    var button = document.createElement("span");
    button.className = "file-ui-button";
    button.textContent = input.multiple ? T.chooseMany : T.choose;
    button.setAttribute("aria-hidden", "true");  // the input itself (focusable, labelled) is what is used
    button.addEventListener("click", function () { if (!input.disabled) input.click(); });
    var chosen = document.createElement("span");
    chosen.className = "file-ui-chosen";
    chosen.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(button);
    wrap.appendChild(chosen);
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      chosen.textContent = !files.length ? T.none : (files.length > 3 ? files.length + T.files : files.join(", "));
    }
    input.addEventListener("change", show);
    show();
  }
  window.slaEnhance("input[type=file]", enhance);
})();

// verifyd hosted verification page. Plain JavaScript, no build step, embedded in the binary.
//
// Talks to the flow API of its own session (/session/{token}/api/...) and, when embedded by the
// web SDK, to the parent window with the contract's postMessage events (`didit:*`).
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("verifyd-config").textContent);
  var T = cfg.i18n;
  var api = cfg.api;
  var query = new URLSearchParams(window.location.search);
  var embedded = window.parent && window.parent !== window;
  var handoff = query.get("handoff") === "1";
  var state = null;
  var stream = null;
  var facing = {};
  var currentStep = null;
  var previousStep = null;
  var busy = false;
  var completedSent = false;

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var s = T[key] || key;
    if (vars) { Object.keys(vars).forEach(function (k) { s = s.replace("{" + k + "}", vars[k]); }); }
    return s;
  }

  // ---- parent window events (contract §1.5) ----
  function emit(type, data) {
    if (!embedded) { return; }
    var msg = { type: type, timestamp: Date.now() };
    if (data !== undefined) { msg.data = data; }
    try { window.parent.postMessage(msg, "*"); } catch (e) { /* parent gone */ }
  }

  // ---- screens ----
  var screens = ["s-intro", "s-desktop", "s-select", "s-capture", "s-processing", "s-result", "s-error"];
  function show(id) {
    screens.forEach(function (s) { $(s).hidden = s !== id; });
    var h = $(id).querySelector("h1");
    if (h) { h.focus(); }
  }

  function progress() {
    if (!state || !currentStep) { $("progress").textContent = ""; return; }
    var i = state.steps.indexOf(currentStep);
    $("progress").textContent = i < 0 ? "" : t("step_of", { i: i + 1, n: state.steps.length });
  }

  // ---- flow API ----
  function call(method, path, body, contentType) {
    var opts = { method: method, headers: {}, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      opts.body = body;
      opts.headers["Content-Type"] = contentType || "application/json";
    }
    return fetch(api + path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var err = new Error(r.status === 429 ? t("error_rate") : (j.detail || t("error_generic")));
          err.status = r.status; err.body = j;
          throw err;
        }
        return j;
      });
    });
  }

  function fail(err, step) {
    busy = false;
    emit("didit:error", { error: String(err && err.message || err), step: step || currentStep || null });
    $("error-text").textContent = err && err.message ? err.message : t("error_generic");
    stopCamera();
    show("s-error");
  }

  // ---- steps ----
  function goTo(step) {
    if (step === currentStep) { return; }
    previousStep = currentStep;
    currentStep = step;
    if (previousStep) { emit("didit:step_changed", { step: step, previousStep: previousStep }); }
    emit("didit:step_started", { step: step });
    progress();
    if (step === "document_selection") { renderSelect(); }
    else { renderCapture(step); }
  }

  function next() {
    if (state.current_step) { goTo(state.current_step); }
    else { finish(); }
  }

  function completeStep(step, nextStep) {
    emit("didit:step_completed", { step: step, nextStep: nextStep || null });
  }

  // ---- document selection ----
  function renderSelect() {
    stopCamera();
    var box = $("doc-types");
    box.textContent = "";
    state.document_types.forEach(function (code, i) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio"; input.name = "document_type"; input.value = code;
      input.id = "doc-" + code;
      if ((state.document_type && state.document_type === code) || (!state.document_type && i === 0)) { input.checked = true; }
      label.appendChild(input);
      label.appendChild(document.createTextNode(t("doc_" + code)));
      box.appendChild(label);
    });
    $("country").value = state.country || "";
    show("s-select");
  }

  $("select-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) { return; }
    var chosen = document.querySelector("input[name=document_type]:checked");
    if (!chosen) { return; }
    var country = $("country").value.trim().toUpperCase();
    busy = true;
    call("POST", "/document", JSON.stringify({ document_type: chosen.value, country: country || null }))
      .then(function (s) {
        busy = false;
        state = s;
        emit("didit:document_selected", { documentType: chosen.value, country: country || null });
        completeStep("document_selection", s.current_step);
        next();
      })
      .catch(function (e) { busy = false; alertSelect(e.message); });
  });

  function alertSelect(text) {
    var p = $("select-form").querySelector(".message");
    if (!p) { p = document.createElement("p"); p.className = "message"; p.setAttribute("role", "alert"); $("select-form").prepend(p); }
    p.textContent = text;
  }

  // ---- capture ----
  function cameraFor(step) {
    if (step === "face") {
      return { facing: query.get("liveness_camera") === "back" ? "environment" : "user",
               canSwitch: query.get("liveness_camera_switch") !== "false" };
    }
    return { facing: query.get("document_camera") === "front" ? "user" : "environment",
             canSwitch: query.get("document_camera_switch") !== "false" };
  }

  function renderCapture(step) {
    var isFace = step === "face";
    var headingKey = step === "document_front" ? (state.document_type === "P" ? "front_heading_P" : "front_heading")
      : step === "document_back" ? "back_heading" : "face_heading";
    $("capture-heading").textContent = t(headingKey);
    $("capture-help").textContent = t(isFace ? "face_help" : (step === "document_back" ? "back_help" : "front_help"));
    $("guide").className = "guide " + (isFace ? "face" : "doc");
    $("preview").hidden = true;
    $("video").hidden = false;
    $("shoot").disabled = false;
    message(null);
    show("s-capture");
    var cam = cameraFor(step);
    if (!facing[step]) { facing[step] = cam.facing; }
    $("switch").hidden = !cam.canSwitch;
    startCamera(step);
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (tr) { tr.stop(); }); stream = null; }
    $("video").srcObject = null;
  }

  function startCamera(step) {
    stopCamera();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { noCamera(); return; }
    var constraints = { audio: false, video: { facingMode: { ideal: facing[step] }, width: { ideal: 1920 }, height: { ideal: 1080 } } };
    navigator.mediaDevices.getUserMedia(constraints).then(function (s) {
      if (currentStep !== step) { s.getTracks().forEach(function (tr) { tr.stop(); }); return; }
      stream = s;
      var v = $("video");
      v.srcObject = s;
      $("viewer").classList.toggle("mirror", facing[step] === "user");
      $("shoot").hidden = false;
      emit("didit:media_started", { step: step, mediaType: "image" });
    }).catch(function () { noCamera(); });
  }

  function noCamera() {
    $("shoot").hidden = true;
    $("switch").hidden = true;
    message(t("camera_unavailable"), false);
  }

  $("switch").addEventListener("click", function () {
    var step = currentStep;
    facing[step] = facing[step] === "user" ? "environment" : "user";
    startCamera(step);
  });

  $("shoot").addEventListener("click", function () {
    var v = $("video");
    if (busy || !stream || !v.videoWidth) { return; }
    var c = document.createElement("canvas");
    c.width = v.videoWidth; c.height = v.videoHeight;
    c.getContext("2d").drawImage(v, 0, 0, c.width, c.height);
    emit("didit:media_captured", { step: currentStep, isAuto: false });
    c.toBlob(function (blob) {
      if (!blob) { fail(new Error(t("error_generic"))); return; }
      showPreview(blob);
      upload(blob);
    }, "image/jpeg", 0.92);
  });

  $("file").addEventListener("change", function (ev) {
    var f = ev.target.files && ev.target.files[0];
    ev.target.value = "";
    if (!f || busy) { return; }
    emit("didit:media_captured", { step: currentStep, isAuto: false });
    showPreview(f);
    upload(f);
  });

  function showPreview(blob) {
    var img = $("preview");
    if (img.src) { URL.revokeObjectURL(img.src); }
    img.src = URL.createObjectURL(blob);
    img.hidden = false;
    $("video").hidden = true;
  }

  function message(text, ok) {
    var p = $("capture-message");
    if (!text) { p.hidden = true; p.textContent = ""; return; }
    p.textContent = text;
    p.className = "message" + (ok ? " ok" : "");
    p.hidden = false;
  }

  function upload(blob) {
    var step = currentStep;
    busy = true;
    $("shoot").disabled = true;
    message(t("checking"), true);
    var type = blob.type && /^image\/(jpeg|png|webp)$/.test(blob.type) ? blob.type : "image/jpeg";
    call("POST", "/upload/" + step, blob, type).then(function (res) {
      busy = false;
      state = res.state;
      var v = res.verdict;
      if (!v.accepted) {
        var text = t("reason_" + v.reason) + " " + t("attempts_left", { n: v.attempts_left });
        message(text, false);
        $("shoot").disabled = false;
        $("preview").hidden = true;
        $("video").hidden = false;
        if (!stream) { startCamera(step); }
        emit("didit:error", { error: v.reason, step: step });
        return;
      }
      if (v.reason) { message(t("kept_anyway"), true); }
      stopCamera();
      emit("didit:verification_submitted", { step: step });
      completeStep(step, state.current_step);
      next();
    }).catch(function (e) {
      busy = false;
      $("shoot").disabled = false;
      $("preview").hidden = true;
      $("video").hidden = false;
      message(e.message, false);
    });
  }

  // ---- finishing ----
  function finish() {
    stopCamera();
    currentStep = null;
    progress();
    show("s-processing");
    call("POST", "/finish", "{}").then(function (s) {
      state = s;
      emit("didit:status_updated", { status: s.status });
      result(true);
    }).catch(function (e) { fail(e); });
  }

  function result(completedHere) {
    stopCamera();
    var status = state.status;
    var known = status === "Approved" || status === "Declined" || status === "In Review";
    var key = known ? status : "other";
    $("result-heading").textContent = t("result_" + key + "_heading");
    $("result-text").textContent = t("result_" + key + "_text");
    $("result-icon").className = "result-icon " + status.replace(" ", "");
    $("progress").textContent = "";
    show("s-result");
    if (!completedSent) {
      completedSent = true;
      emit("didit:completed", {
        sessionId: state.session_id, status: status,
        country: state.country || null, documentType: state.document_type || null
      });
    }
    // Redirect per callback_method: the device that opened the link is the initiator, a phone
    // reached through the QR code only completes.
    var method = state.callback_method || "initiator";
    var initiator = !handoff;
    var redirect = state.callback && (
      (initiator && (method === "initiator" || method === "both")) ||
      (completedHere && (method === "completer" || method === "both")));
    if (redirect) {
      $("result-redirect").hidden = false;
      setTimeout(function () {
        if (embedded) { try { window.top.location.href = state.callback; return; } catch (e) { /* cross-origin top */ } }
        window.location.href = state.callback;
      }, 2500);
    }
  }

  // ---- desktop hand-off ----
  function isDesktop() {
    return !(window.matchMedia && window.matchMedia("(pointer: coarse)").matches) &&
      !/Android|iPhone|iPad|Mobile/i.test(navigator.userAgent);
  }

  function pollUntilFinal() {
    if (!$("s-desktop").hidden) {
      call("GET", "/state").then(function (s) {
        state = s;
        if (s.is_final) { result(false); return; }
        setTimeout(pollUntilFinal, 3000);
      }).catch(function () { setTimeout(pollUntilFinal, 5000); });
    }
  }

  $("desktop-continue").addEventListener("click", function () { next(); });

  // ---- start ----
  // Opening the page starts the session (Not Started or Resubmitted → In Progress); the Start
  // button only moves on to the first step (or, on a computer, to the phone hand-off).
  function begin() {
    call("POST", "/start", "{}").then(function (s) {
      state = s;
      emit("didit:started");
      if (s.is_final) { result(false); return; }
      $("start").disabled = false;
      show("s-intro");
    }).catch(function (e) { fail(e); });
  }

  $("start").addEventListener("click", function () {
    var desktopHandoff = isDesktop() && !handoff && !embedded && query.get("desktop") !== "1";
    if (desktopHandoff) {
      $("desktop-continue").hidden = state && state.is_desktop_allowed === false;
      show("s-desktop");
      pollUntilFinal();
    } else {
      next();
    }
  });

  $("start").disabled = true;
  $("close").hidden = !embedded;
  $("close").addEventListener("click", function () { emit("didit:close_request"); });

  call("GET", "/state").then(function (s) {
    state = s;
    emit("didit:ready", { sessionId: s.session_id });
    if (s.is_final) { result(false); return; }
    if (s.status === "In Progress") {
      // Reloaded mid-flow: carry on where the person left off.
      next();
      return;
    }
    begin();
  }).catch(function (e) { fail(e); });
})();

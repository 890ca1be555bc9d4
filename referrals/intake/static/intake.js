/*
 * The intake form: builds the JSON body the API expects (IntakeCreate), posts it with one
 * Idempotency-Key per form fill, and shows the answer: errors beside their fields, or a
 * confirmation that holds nothing the patient typed.
 */
(function () {
  "use strict";

  var ENDPOINT = "/api/v1/referral-requests";
  var KEY_HEADER = "Idempotency-Key";
  /*
   * A connection can hang without failing (a phone moving between networks): past this, the
   * page stops waiting and lets the patient send again. It is twice the longest the server
   * waits for a database connection (30 s) before it answers 503; sending again reuses the
   * key, so an answer cut short stores nothing twice.
   */
  var ANSWER_TIMEOUT_MS = 60000;
  var form = document.getElementById("intake-form");
  var button = document.getElementById("submit");
  var status = document.getElementById("form-status");
  var problem = document.getElementById("problem");
  var problemHeading = document.getElementById("problem-heading");
  var problemText = document.getElementById("problem-text");
  var problemList = document.getElementById("problem-list");

  /*
   * The key names this form fill. It is reused for every retry of the same answers, so a
   * double click or a retry after a lost response stores one request. It is renewed only when
   * the server has refused the last attempt (nothing was stored) and the answers changed.
   */
  var attempt = { key: newKey(), body: null, refused: false };
  var sending = false;

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    /* randomUUID needs a secure context; getRandomValues does not. */
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  /* Reading the form */

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
  }

  function controls(field) {
    return Array.prototype.slice.call(field.querySelectorAll("input, select, textarea"));
  }

  function checked(field) {
    return controls(field).filter(function (c) { return c.checked; });
  }

  function numeric(text, pattern) {
    /* Anything else goes to the server as typed, so that its answer names the field. */
    return pattern.test(text) ? Number(text) : text;
  }

  function dollars(text) {
    /* Whole dollars as people write them: "$1,200" is 1200. */
    var digits = text.replace(/^\$\s*/, "").replace(/,(?=\d{3}(?!\d))/g, "");
    return /^\d+$/.test(digits) ? Number(digits) : text;
  }

  /* The field's value in the body, or undefined to leave it out. */
  function read(field) {
    var kind = field.dataset.kind;
    var text = controls(field)[0].value.trim();
    var picked = checked(field);
    switch (kind) {
      case "text":
        return text === "" ? undefined : text;
      case "integer":
        return text === "" ? undefined : numeric(text, /^\d+$/);
      case "dollars":
        return text === "" ? undefined : dollars(text);
      case "number":
        return text === "" ? undefined : numeric(text, /^\d+(\.\d+)?$/);
      case "choice":
        return picked.length && picked[0].value !== "" ? picked[0].value : undefined;
      case "boolean":
        if (!picked.length || picked[0].value === "") return undefined;
        return picked[0].value === "true";
      case "list":
        return picked.length ? picked.map(function (c) { return c.value; }) : undefined;
      case "flag":
        return picked.length ? true : undefined;
      case "consent":
        return picked.length > 0;
    }
    return undefined;
  }

  function put(body, path, value) {
    var parts = path.split(".");
    var node = body;
    parts.slice(0, -1).forEach(function (part) {
      node[part] = node[part] || {};
      node = node[part];
    });
    node[parts[parts.length - 1]] = value;
  }

  function collect() {
    var body = {};
    fields().forEach(function (field) {
      var value = read(field);
      if (value !== undefined) put(body, field.dataset.field, value);
    });
    return body;
  }

  /* The obvious checks; the server's answer is the one that counts. */
  function check(body) {
    var errors = [];
    fields().forEach(function (field) {
      var path = field.dataset.field;
      var control = controls(field)[0];
      if (control.type === "date" && control.validity.badInput) {
        /* A date typed in part reads as empty: it is unfinished, not missing. */
        errors.push({ field: path, message: "must have a month, day and year" });
      } else if (field.hasAttribute("data-required") && field.dataset.kind !== "consent" &&
          read(field) === undefined) {
        errors.push({ field: path, message: "is required" });
      }
    });
    if (body.postal_code !== undefined && !/^\d{5}$/.test(body.postal_code)) {
      errors.push({ field: "postal_code", message: "must be 5 digits, for example 10001" });
    }
    if (body.consent_to_share !== true) {
      errors.push({
        field: "consent_to_share",
        message: "must be ticked: we share your request with care teams only if you agree",
      });
    }
    return errors;
  }

  /* Showing errors */

  function fieldFor(path) {
    /* "preferences.modalities.1" → the modalities group; "patient" alone has no field. */
    var parts = String(path || "").split(".");
    while (parts.length) {
      var found = form.querySelector('[data-field="' + parts.join(".") + '"]');
      if (found) return found;
      parts.pop();
    }
    return null;
  }

  function sentence(field, path, message) {
    var label = field ? field.dataset.label : path;
    if (!label) return message;
    if (/^(is|are|must|should|cannot|has|does) /.test(message)) return label + " " + message;
    return label + ": " + message;
  }

  function describedBy(control, id, on) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (existing) { return existing !== id; });
    if (on) ids.push(id);
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  function clearErrors() {
    fields().forEach(function (field) {
      var message = field.querySelector(".error");
      if (!message) return;
      field.classList.remove("invalid");
      message.hidden = true;
      message.textContent = "";
      controls(field).forEach(function (control) {
        control.removeAttribute("aria-invalid");
        describedBy(control, message.id, false);
      });
    });
    hideProblem();
  }

  function hideProblem() {
    problem.hidden = true;
    problemHeading.textContent = "";
    problemText.textContent = "";
    problemText.hidden = true;
    problemList.textContent = "";
    problemList.hidden = true;
  }

  function markField(field, text) {
    var message = field.querySelector(".error");
    var shown = message.hidden ? "" : message.textContent + " ";
    message.hidden = false;
    message.textContent = shown + text;
    field.classList.add("invalid");
    controls(field).forEach(function (control) {
      control.setAttribute("aria-invalid", "true");
      describedBy(control, message.id, true);
    });
  }

  function showProblem(heading, text, items) {
    problemHeading.textContent = heading;
    problemText.textContent = text || "";
    problemText.hidden = !text;
    problemList.textContent = "";
    (items || []).forEach(function (item) {
      var li = document.createElement("li");
      if (item.target) {
        var link = document.createElement("a");
        link.href = "#" + item.target.id;
        link.textContent = item.text;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          item.target.focus();
          item.target.scrollIntoView({ block: "center" });
        });
        li.appendChild(link);
      } else {
        li.textContent = item.text;
      }
      problemList.appendChild(li);
    });
    problemList.hidden = !problemList.children.length;
    problem.hidden = false;
    problem.focus();
  }

  function showErrors(errors) {
    var items = errors.map(function (error) {
      var field = fieldFor(error.field);
      var text = sentence(field, error.field, error.message);
      if (field) markField(field, text);
      return { text: text, target: field ? controls(field)[0] : null };
    });
    var count = items.length;
    showProblem(count === 1 ? "Please fix this to continue"
      : "Please fix these " + count + " things to continue", "", items);
  }

  function waitText(retryAfter) {
    var seconds = Number(retryAfter);
    if (!retryAfter || isNaN(seconds)) {
      var until = Date.parse(retryAfter || "");
      seconds = isNaN(until) ? 60 : Math.max(1, Math.ceil((until - Date.now()) / 1000));
    }
    if (seconds < 90) return seconds + (seconds === 1 ? " second" : " seconds");
    var minutes = Math.ceil(seconds / 60);
    return minutes + " minutes";
  }

  /* Sending */

  function showConfirmation(receipt) {
    var template = document.getElementById("confirmation-template");
    var confirmation = template.content.firstElementChild.cloneNode(true);
    confirmation.querySelector('[data-slot="reference"]').textContent = receipt.id;
    /* Nothing typed stays in the page: the form and its values leave the document. */
    attempt = { key: newKey(), body: null, refused: false };
    form.reset();
    form.replaceWith(confirmation);
    hideProblem();
    document.getElementById("intro").hidden = true;
    document.title = "Request received";
    confirmation.querySelector("h2").focus();
  }

  function answer(response, payload) {
    if (response.status === 201 || response.status === 200) {
      showConfirmation(payload || {});
      return;
    }
    attempt.refused = response.status >= 400 && response.status < 500;
    var errors = (response.status === 422 && payload && payload.errors) || [];
    var reused = errors.filter(function (e) { return e.field === KEY_HEADER; }).length > 0;
    if (reused) {
      /* An earlier attempt whose answer was lost reached us with other answers. */
      attempt.key = newKey();
      showProblem("Your earlier answers may have reached us", "You changed your answers " +
        "after a request that may have arrived. Press Send again to send these answers too.");
    } else if (errors.length) {
      showErrors(errors);
    } else if (response.status === 429) {
      showProblem("Too many requests", "We have had many requests from your connection. " +
        "Please wait " + waitText(response.headers.get("Retry-After")) +
        ", then send again. Your answers are still here.");
    } else if (response.status === 413) {
      showProblem("Your request is too long", "Please shorten the medicines or notes " +
        "you wrote, then send again.");
    } else if (response.status === 503) {
      showProblem("We could not save your request", "The service is busy for a moment. " +
        "Please wait " + waitText(response.headers.get("Retry-After")) +
        ", then send again. Your answers are still here.");
    } else {
      var detail = payload && payload.detail ? payload.detail : "";
      showProblem("We could not send your request",
        (detail ? detail + " " : "") + "Please try again. Your answers are still here.");
    }
  }

  function send(body) {
    var json = JSON.stringify(body);
    if (attempt.refused && attempt.body !== json) attempt.key = newKey();
    attempt.body = json;
    attempt.refused = false;
    sending = true;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Sending your request…";
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, ANSWER_TIMEOUT_MS);
    fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json, application/problem+json",
        [KEY_HEADER]: attempt.key,
      },
      body: json,
      credentials: "same-origin",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    })
      .then(function (response) {
        return response.json().then(
          function (payload) { return [response, payload]; },
          function () { return [response, null]; }
        );
      })
      .then(function (result) {
        finish(timer);
        answer(result[0], result[1]);
      })
      .catch(function () {
        /* The request may or may not have arrived: a retry with the same key is safe. */
        finish(timer);
        showProblem("We could not reach the service", "Please check your connection and " +
          "press Send again. Your answers are still here and will only be sent once.");
      });
  }

  function finish(timer) {
    clearTimeout(timer);
    sending = false;
    button.disabled = false;
    form.removeAttribute("aria-busy");
    status.textContent = "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    clearErrors();
    var body = collect();
    var errors = check(body);
    if (errors.length) {
      showErrors(errors);
      return;
    }
    send(body);
  });
})();

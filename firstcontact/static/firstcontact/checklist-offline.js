// Keep a checklist in progress on this device until the server has it.
//
// Progressive enhancement: the checklist pages work without this file. With it:
// - every change to the checklist form (or the check-your-answers form) is saved
//   to localStorage, keyed by the signed-in user and the form's token;
// - a submit with no connection is queued instead of lost, with a notice that
//   it is waiting to send, and is sent when the `online` event fires or when
//   the new-checklist page is opened again;
// - a new, empty form restores the user's latest saved checklist, with its
//   token, so a checklist interrupted by an expired session can be sent after
//   signing in again;
// - the confirmation page deletes the saved copy, because it is personal data.
//
// The token becomes the checklist's external_id ("WEB-<token>"), so a checklist
// sent twice is recorded once: the second send is reported as a duplicate.
(function () {
  "use strict";

  var PREFIX = "firstcontact:checklist:";
  var PROBE_TIMEOUT_MS = 8000;

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // Private browsing or storage switched off.
    }
  }

  function keyFor(user, token) {
    return PREFIX + user + ":" + token;
  }

  function readEntry(store, key) {
    try {
      var entry = JSON.parse(store.getItem(key));
      return entry && Array.isArray(entry.fields) ? entry : null;
    } catch (error) {
      return null;
    }
  }

  // The user's saved checklists, newest first.
  function savedEntries(store, user) {
    var prefix = PREFIX + user + ":";
    var entries = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) {
        var entry = readEntry(store, key);
        if (entry) {
          entry.key = key;
          entries.push(entry);
        }
      }
    }
    entries.sort(function (a, b) {
      return (b.savedAt || 0) - (a.savedAt || 0);
    });
    return entries;
  }

  function formFields(form) {
    var fields = [];
    for (var i = 0; i < form.elements.length; i++) {
      var element = form.elements[i];
      if (!element.name || element.disabled || element.name === "csrfmiddlewaretoken") {
        continue;
      }
      if (element.type === "submit" || element.type === "button") {
        continue;
      }
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) {
        continue;
      }
      fields.push([element.name, element.value]);
    }
    return fields;
  }

  function fillForm(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    for (var i = 0; i < form.elements.length; i++) {
      var element = form.elements[i];
      if (!element.name || element.name === "csrfmiddlewaretoken") {
        continue;
      }
      if (element.type === "submit" || element.type === "button") {
        continue;
      }
      var savedValues = values[element.name] || [];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = savedValues.indexOf(element.value) !== -1;
      } else if (savedValues.length) {
        element.value = savedValues[0];
      } else if (element.type !== "hidden") {
        element.value = "";
      }
    }
  }

  function showNotice(form, title, text) {
    var banner = document.getElementById("fc-offline-notice");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "fc-offline-notice";
      banner.className = "govuk-notification-banner";
      banner.setAttribute("role", "region");
      banner.setAttribute("aria-labelledby", "fc-offline-notice-title");
      banner.innerHTML =
        '<div class="govuk-notification-banner__header">' +
        '<h2 class="govuk-notification-banner__title" id="fc-offline-notice-title"></h2>' +
        "</div>" +
        '<div class="govuk-notification-banner__content">' +
        '<p class="govuk-notification-banner__heading"></p>' +
        '<p class="govuk-body"></p>' +
        "</div>";
      var main = document.getElementById("main-content") || form.parentNode;
      main.insertBefore(banner, main.firstChild);
    }
    banner.querySelector(".govuk-notification-banner__title").textContent = "Important";
    banner.querySelector(".govuk-notification-banner__heading").textContent = title;
    banner.querySelector(".govuk-body").textContent = text;
    banner.setAttribute("tabindex", "-1");
    banner.focus();
  }

  // Let the user delete a restored checklist and start again with an empty form.
  function addDiscardButton(store, key) {
    var content = document.querySelector(
      "#fc-offline-notice .govuk-notification-banner__content",
    );
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    button.textContent = "Delete it and start a new checklist";
    button.addEventListener("click", function () {
      store.removeItem(key);
      window.location.reload();
    });
    content.appendChild(button);
  }

  // Resolve true if the server sends any response, false on a network failure.
  function serverReachable() {
    if (!navigator.onLine) {
      return Promise.resolve(false);
    }
    if (!window.fetch) {
      return Promise.resolve(true);
    }
    var icon = document.querySelector('link[rel="icon"]');
    var url = icon ? icon.href : window.location.href;
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, PROBE_TIMEOUT_MS)
      : null;
    return window
      .fetch(url, {
        method: "GET",
        cache: "no-store",
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
      .then(
        function () {
          return true;
        },
        function () {
          return false;
        },
      )
      .then(function (reachable) {
        if (timer) {
          window.clearTimeout(timer);
        }
        return reachable;
      });
  }

  function enhance(form, store) {
    var user = form.getAttribute("data-fc-user");
    var tokenInput = form.elements.namedItem("token");
    if (!user || !tokenInput) {
      return;
    }
    var sending = false;

    function save(queued) {
      var entry = {
        savedAt: Date.now(),
        queued: Boolean(queued),
        fields: formFields(form),
      };
      try {
        store.setItem(keyFor(user, tokenInput.value), JSON.stringify(entry));
      } catch (error) {
        // Storage full: the form still posts normally.
      }
    }

    // Post the form as a normal navigation with action=send, so the browser shows
    // the server's response: the confirmation, the form with its errors,
    // or the sign-in page if the session has expired.
    function send() {
      if (sending) {
        return;
      }
      sending = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "send";
      form.appendChild(action);
      save(false);
      HTMLFormElement.prototype.submit.call(form);
    }

    function queue() {
      save(true);
      showNotice(
        form,
        "Saved on this device: waiting to send",
        "There is no internet connection. The checklist will be sent when the " +
          "connection returns, or when you open a new checklist on this device " +
          "again. Do not clear this browser's data until it has been sent.",
      );
    }

    // A new, empty form takes over the latest checklist saved on this device.
    if (form.hasAttribute("data-fc-fresh")) {
      var saved = savedEntries(store, user)[0];
      if (saved) {
        fillForm(form, saved.fields);
        if (saved.queued) {
          showNotice(
            form,
            "Saved on this device: waiting to send",
            "This checklist was saved on this device when there was no " +
              "connection. It is being sent now.",
          );
          serverReachable().then(function (reachable) {
            if (reachable) {
              send();
            }
          });
        } else {
          showNotice(
            form,
            "A checklist saved on this device was restored",
            "Check the answers and continue to send it.",
          );
          addDiscardButton(store, saved.key);
        }
      }
    }

    form.addEventListener("input", function () {
      save(false);
    });
    form.addEventListener("change", function () {
      save(false);
    });

    form.addEventListener("submit", function (event) {
      if (sending) {
        return;
      }
      event.preventDefault();
      var submitter = event.submitter;
      save(false);
      serverReachable().then(function (reachable) {
        if (!reachable) {
          queue();
          return;
        }
        sending = true;
        if (form.requestSubmit && submitter) {
          form.requestSubmit(submitter);
        } else {
          HTMLFormElement.prototype.submit.call(form);
        }
      });
    });

    window.addEventListener("online", function () {
      var entry = readEntry(store, keyFor(user, tokenInput.value));
      if (entry && entry.queued) {
        send();
      }
    });
  }

  function forgetSent(store) {
    var marker = document.querySelector("[data-fc-sent-token]");
    if (!marker) {
      return;
    }
    var token = marker.getAttribute("data-fc-sent-token");
    var user = marker.getAttribute("data-fc-user");
    if (token && user) {
      store.removeItem(keyFor(user, token));
    }
  }

  var store = storage();
  if (!store) {
    return;
  }
  forgetSent(store);
  var forms = document.querySelectorAll("form[data-fc-offline-form]");
  for (var i = 0; i < forms.length; i++) {
    enhance(forms[i], store);
  }
})();

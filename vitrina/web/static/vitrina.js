/* Vitrina review UI: keyboard shortcuts, select-all, reject with a reason, CSRF header for htmx.
   Loaded as a file (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // every htmx request carries the session's CSRF token
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  var lastCard = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    lastCard = target && target.id ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastCard) return;
    var card = document.getElementById(lastCard);
    if (card) card.focus();
  });

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("article.card"));
  }

  function focusedCard() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("article.card") : null;
  }

  function move(step) {
    var all = cards();
    if (!all.length) return;
    var index = all.indexOf(focusedCard());
    var next = index < 0 ? all[0] : all[Math.max(0, Math.min(all.length - 1, index + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  function rejectWithReason(button) {
    var reason = window.prompt("Why is this variant rejected?");
    if (reason === null) return;
    if (!reason.trim()) {
      window.alert("A rejection needs a reason.");
      return;
    }
    var card = button.closest("article.card");
    window.htmx.ajax("POST", button.getAttribute("data-reject"), {
      target: card,
      swap: "outerHTML",
      values: { reason: reason },
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-reject]") : null;
    if (button) {
      event.preventDefault();
      rejectWithReason(button);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id !== "pick-all") return;
    var boxes = document.querySelectorAll('input[name="ids"][form="bulk"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = event.target.checked;
  });

  function press(card, selector) {
    var element = card.querySelector(selector);
    if (element && !element.disabled) element.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) {
      if (!(target.tagName === "INPUT" && target.type === "checkbox")) return;
    }
    var body = document.body.classList;
    var card = focusedCard();
    if (body.contains("queue-page")) {
      if (event.key === "j") move(1);
      else if (event.key === "k") move(-1);
      else if (event.key === "a" && card) press(card, "button.approve");
      else if (event.key === "r" && card) press(card, "button.reject");
      else if (event.key === "x" && card) press(card, 'input[name="ids"]');
      else if (event.key === "o" && card) press(card, "a.thumb");
      else return;
      event.preventDefault();
    } else if (body.contains("variant-page")) {
      if (event.key === "a") press(document, "form.approve-form button.approve");
      else if (event.key === "r") {
        var reason = document.getElementById("reject-reason");
        if (!reason) return;
        reason.focus();
      } else return;
      event.preventDefault();
    }
  });
})();

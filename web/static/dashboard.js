// The dashboard's live behaviour: poll the board, patch tiles in place (no reload, no flicker),
// count the outage up, open the quick-action dialog for a seat, keep the voucher box's seats current,
// and refuse double submits. The words it writes come from the page, in the attendant's language.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("board-config").textContent);
  var words = config.words;
  var grid = document.getElementById("grid");
  var dialog = document.getElementById("seat-dialog");
  var serverOffset = Date.parse(config.now) - Date.now();
  var POLL_MS = 3000;

  // A phrase of the page's with its {name} places filled in.
  function say(phrase, values) {
    return words[phrase].replace(/\{(\w+)\}/g, function (whole, name) { return String(values[name]); });
  }

  function text(node, value) {
    if (node && node.textContent !== value) { node.textContent = value; }
  }

  function minutesText(seat) {
    if (seat.remaining_minutes !== null) { return say("minutes", {minutes: seat.remaining_minutes}); }
    return seat.postpaid ? words.postpaid : "";
  }

  function tileClass(seat) {
    var names = ["seat", seat.state];
    if (seat.dark) { names.push("is-dark"); }
    if (seat.on_ups) { names.push("on-ups"); }
    if (seat.nearly_up) { names.push("nearly-up"); }
    return names.join(" ");
  }

  function patchTiles(seats) {
    seats.forEach(function (seat) {
      var tile = grid.querySelector('[data-seat="' + CSS.escape(seat.seat) + '"]');
      if (!tile) { return; }
      var wanted = tileClass(seat);
      if (tile.className !== wanted) { tile.className = wanted; }
      tile.dataset.session = seat.session || "";
      tile.dataset.state = seat.state;
      tile.dataset.noPower = seat.no_power ? "1" : "";
      tile.dataset.postpaid = seat.postpaid ? "1" : "";
      text(tile.querySelector(".state"), seat.state_label);
      var minutes = tile.querySelector(".minutes");
      minutes.classList.toggle("word", seat.remaining_minutes === null);
      text(minutes, minutesText(seat));
      text(tile.querySelector(".customer"), seat.customer);
    });
  }

  function patchFigures(figures) {
    Object.keys(figures).forEach(function (key) {
      text(document.querySelector('[data-figure="' + key + '"]'), figures[key]);
    });
  }

  function patchLetters(letters) {
    var list = document.getElementById("notice-list");
    // A cut joining a waiting letter keeps its address but changes its label.
    var signature = letters.map(function (l) { return l.id + ":" + l.label; }).join(",");
    if (list.dataset.signature === signature) { return; }
    list.dataset.signature = signature;
    list.innerHTML = "";
    if (!letters.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = words.noneWaiting;
      list.appendChild(empty);
      return;
    }
    letters.forEach(function (letter) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = config.noticeBase + letter.id;
      link.textContent = letter.label;
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function patchWaiting(waiting) {
    var box = document.getElementById("waiting");
    var list = document.getElementById("waiting-list");
    var signature = waiting.map(function (w) { return w.label; }).join("|");
    box.hidden = waiting.length === 0;
    if (list.dataset.signature === signature) { return; }
    list.dataset.signature = signature;
    list.innerHTML = "";
    waiting.forEach(function (credit) {
      var item = document.createElement("li");
      item.textContent = credit.label;
      list.appendChild(item);
    });
  }

  // The warning after the PC's clock was set, with its size, as the server words it.
  function patchClock(warning) {
    var box = document.getElementById("clock-warning");
    box.hidden = !warning;
    if (box.textContent !== warning) { box.textContent = warning || ""; }
  }

  function patchAlerts(alerts) {
    var box = document.getElementById("alerts");
    var list = document.getElementById("alert-list");
    var signature = alerts.map(function (a) { return a.id; }).join(",");
    box.hidden = alerts.length === 0;
    if (list.dataset.signature === signature) { return; }
    list.dataset.signature = signature;
    list.innerHTML = "";
    alerts.forEach(function (alert) {
      var item = document.createElement("li");
      item.textContent = alert.message;
      list.appendChild(item);
    });
  }

  // Rebuilt only when the seats change, so an open list is not pulled from under the attendant.
  function patchVoucherTargets(targets) {
    var select = document.getElementById("voucher-onto");
    var signature = targets.map(function (t) { return t.value; }).join(",");
    if (select.dataset.signature === signature) { return; }
    select.dataset.signature = signature;
    var chosen = select.value;
    select.innerHTML = "";
    targets.forEach(function (target) {
      var option = document.createElement("option");
      option.value = target.value;
      option.textContent = target.label;
      option.selected = target.value === chosen;
      select.appendChild(option);
    });
  }

  // A banner per suspected outage, cloned from the partial's template with a fresh idempotency key
  // of its own, so that each one-click Confirm or Dismiss acts once.
  function patchSuspected(suspected) {
    var box = document.getElementById("suspected");
    if (!box) { return; }
    var signature = suspected.map(function (s) { return s.id + ":" + s.label; }).join(",");
    box.hidden = suspected.length === 0;
    if (box.dataset.signature === undefined) {
      box.dataset.signature = Array.prototype.map.call(box.querySelectorAll(".banner[data-outage]"), function (b) {
        return b.dataset.outage + ":" + b.querySelector(".question").textContent;
      }).join(",");
    }
    if (box.dataset.signature === signature) { return; }
    box.dataset.signature = signature;
    box.querySelectorAll(".banner[data-outage]").forEach(function (banner) { banner.remove(); });
    var template = document.getElementById("suspected-banner");
    suspected.forEach(function (outage) {
      var banner = template.content.firstElementChild.cloneNode(true);
      banner.dataset.outage = outage.id;
      banner.querySelector(".question").textContent = outage.label;
      banner.querySelectorAll("form[data-action]").forEach(function (form) {
        form.action = "/outages/" + outage.id + "/" + form.dataset.action;
        var key = form.querySelector('input[name="idempotency_key"]');
        if (key) { key.value = freshKey(); }
      });
      box.insertBefore(banner, template);
    });
  }

  function freshKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function patchPower(outages) {
    var cut = document.getElementById("power-cut-form");
    var back = document.getElementById("power-back-form");
    var bar = document.getElementById("powerbar");
    var ongoing = outages.length > 0;
    cut.hidden = ongoing;
    back.hidden = !ongoing;
    bar.classList.toggle("dark", ongoing);
    var info = document.getElementById("outage-info");
    var signature = outages.map(function (o) { return o.id; }).join(",");
    if (info.dataset.signature !== signature) {
      info.dataset.signature = signature;
      info.innerHTML = "";
      outages.forEach(function (outage) {
        var row = document.createElement("div");
        row.dataset.started = outage.started_at;
        row.appendChild(document.createTextNode(outage.label + " · "));
        var elapsed = document.createElement("strong");
        elapsed.className = "elapsed";
        row.appendChild(elapsed);
        info.appendChild(row);
      });
      // The new lines show the elapsed time at once, not blank until the next second's tick.
      tickElapsed();
    }
    // A fresh page must be able to cut again once the power is back.
    if (!ongoing) { document.getElementById("power-cut").disabled = false; }
  }

  // Each UPS's line is patched in place; the card exists only when a UPS is configured.
  function patchUps(monitors) {
    (monitors || []).forEach(function (monitor) {
      var item = document.querySelector('#ups-list [data-ups="' + CSS.escape(monitor.name) + '"]');
      if (!item) { return; }
      var wanted = "ups " + monitor.state;
      if (item.className !== wanted) { item.className = wanted; }
      text(item.querySelector(".ups-label"), monitor.label);
    });
  }

  function tickElapsed() {
    document.querySelectorAll("#outage-info [data-started]").forEach(function (row) {
      var seconds = Math.max(0, Math.floor((Date.now() + serverOffset - Date.parse(row.dataset.started)) / 1000));
      var minutes = Math.floor(seconds / 60);
      var label = say("elapsed", {minutes: minutes, seconds: String(seconds % 60).padStart(2, "0")});
      text(row.querySelector(".elapsed"), label);
    });
  }

  // The database lost or its disk full: the banner says so, and the board stays as last read.
  function showDatabase(warning) {
    var banner = document.getElementById("database-banner");
    if (!banner) { return; }
    banner.hidden = !warning;
    if (warning) {
      text(banner.querySelector(".title"), warning.title || "");
      text(banner.querySelector(".message"), warning.message || "");
    }
  }

  function poll() {
    fetch(config.board, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (response.ok) { return response.json(); }
        if (response.status === 503 || response.status === 507) {
          return response.json().then(function (body) {
            var error = (body && body.error) || {};
            if (error.code === "database_unavailable" || error.code === "disk_full") {
              showDatabase({title: response.status === 503 ? say("databaseLost") : say("diskFull"),
                            message: error.message});
            }
            return null;
          }, function () { return null; });
        }
        return null;
      })
      .then(function (state) {
        if (!state) { return; }
        showDatabase(state.database);
        serverOffset = Date.parse(state.now) - Date.now();
        patchTiles(state.seats);
        patchFigures(state.figures_text);
        patchLetters(state.letters);
        patchWaiting(state.waiting);
        patchPower(state.outages);
        patchSuspected(state.suspected);
        patchAlerts(state.alerts);
        patchClock(state.clock_warning);
        patchVoucherTargets(state.voucher_targets);
        patchUps(state.ups);
      })
      .catch(function () { /* The next poll tries again; the counter PC's network may blink. */ });
  }

  function openSeat(tile) {
    var seat = tile.dataset.seat;
    var session = tile.dataset.session;
    var busy = Boolean(session);
    dialog.dataset.seatLabel = tile.querySelector(".label").textContent;
    document.getElementById("dialog-title").textContent = say("seat", {seat: dialog.dataset.seatLabel});
    document.getElementById("dialog-status").textContent =
      tile.querySelector(".state").textContent + " " + tile.querySelector(".minutes").textContent;
    document.getElementById("dialog-free").hidden = busy;
    document.getElementById("dialog-busy").hidden = !busy;
    // A free seat without power is not offered for sale: the server would refuse it anyway.
    var noPower = !busy && tile.dataset.noPower === "1";
    document.getElementById("dialog-no-power").hidden = !noPower;
    dialog.querySelector('form[data-action="start"]').hidden = noPower;
    // Each zone has its own prices: the buttons show those of the clicked seat's zone.
    dialog.querySelectorAll("button[data-prices]").forEach(function (button) {
      text(button.querySelector(".price"), JSON.parse(button.dataset.prices)[tile.dataset.zone] || "");
    });
    dialog.querySelectorAll("form[data-action]").forEach(function (form) {
      var action = form.dataset.action;
      form.action = action === "start"
        ? "/seats/" + encodeURIComponent(seat) + "/start"
        : "/sessions/" + encodeURIComponent(session) + "/" + action;
      delete form.dataset.sent;
      form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
    });
    // Offer only what applies: extend a prepaid session (a postpaid one is billed at the end),
    // pause a running session, resume a paused one, move to a free seat.
    var state = tile.dataset.state;
    dialog.querySelector('form[data-action="extend"]').hidden = tile.dataset.postpaid === "1";
    dialog.querySelector('form[data-action="pause"]').hidden = state !== "running";
    dialog.querySelector('form[data-action="resume"]').hidden = state !== "paused";
    var select = dialog.querySelector('form[data-action="move"] select');
    select.innerHTML = "";
    grid.querySelectorAll('.seat[data-state="free"]:not([data-no-power="1"])').forEach(function (free) {
      var option = document.createElement("option");
      option.value = free.dataset.seat;
      option.textContent = free.querySelector(".label").textContent;
      select.appendChild(option);
    });
    dialog.querySelector('form[data-action="move"]').hidden = select.options.length === 0;
    dialog.showModal();
  }

  grid.addEventListener("click", function (event) {
    var tile = event.target.closest(".seat");
    if (tile) { openSeat(tile); }
  });

  // One click is one request: a nervous double click in the dark must not send two.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method === "dialog") { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    // Ending a session frees the seat and closes a postpaid bill: asked once more, never by accident.
    if (form.dataset.action === "end" &&
        !window.confirm(say("confirmEnd", {seat: dialog.dataset.seatLabel}))) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button").forEach(function (button) {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  tickElapsed();
  setInterval(tickElapsed, 1000);
  setInterval(poll, POLL_MS);
})();

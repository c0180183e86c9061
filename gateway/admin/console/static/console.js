// The console's only script: live rows over server-sent events. Every page works without it.
"use strict";
(function () {
  const holder = document.querySelector("[data-stream]");
  if (!holder || !window.EventSource) { return; }
  const body = holder.querySelector("tbody");
  const status = document.getElementById("live-status");
  const source = new EventSource(holder.getAttribute("data-stream"));
  let added = 0;
  source.addEventListener("live", function (message) {
    let event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    const empty = body.querySelector("td.empty");
    if (empty) { empty.parentNode.remove(); }
    const row = document.createElement("tr");
    row.className = "new";
    const badge = document.createElement("span");
    badge.className = "badge " + event.kind;
    badge.textContent = event.kind;
    [event.time, badge, event.route || "-", event.subject || "-", event.client || "-", event.detail].forEach(function (value) {
      const cell = document.createElement("td");
      if (value instanceof Node) { cell.appendChild(value); } else { cell.textContent = String(value); }
      row.appendChild(cell);
    });
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > 200) { body.deleteRow(-1); }
    added += 1;
    status.textContent = added + (added === 1 ? " new event" : " new events") + " since the page opened.";
  });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) { status.textContent = "Live updates stopped; reload the page."; }
  });
}());

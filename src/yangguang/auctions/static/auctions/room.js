/* The live auction room: current price, countdown, bids by bidding number, the client's clock offset.
   The server's (database) clock rules: the countdown shown is the server's end minus the server's time as
   estimated from this client's clock plus the measured offset. Bids go over the socket with an idempotency
   key; a bid without an answer is re-sent with the same key after a reconnect, so it cannot count twice. */
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root) { return; }
  var t = root.dataset;
  var labels = JSON.parse(t.statusLabels || "{}");
  var el = function (id) { return document.getElementById(id); };
  var state = { lot: null, seq: -1, end: null, offset: 0, offsetKnown: false, seen: {}, pending: {}, ended: false };
  var socket = null;
  var retry = 500;

  function key() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function fmt(amount) {
    if (amount === null || amount === undefined) { return "—"; }
    var n = Number(amount);
    return n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function serverNow() { return Date.now() + state.offset; }

  function addBid(bid, mine) {
    if (state.seen[bid.seq]) { return; }
    state.seen[bid.seq] = true;
    var row = document.createElement("tr");
    row.dataset.seq = bid.seq;
    var cells = [bid.seq, bid.number + (mine ? " (" + t.tYou + ")" : ""), fmt(bid.amount),
                 new Date(bid.placed_at).toLocaleTimeString(undefined, { hour12: false }) + "." +
                 String(new Date(bid.placed_at).getMilliseconds()).padStart(3, "0")];
    cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = c; row.appendChild(td); });
    var body = el("history");
    var before = null;
    for (var i = 0; i < body.children.length; i++) {
      if (Number(body.children[i].dataset.seq) < bid.seq) { before = body.children[i]; break; }
    }
    body.insertBefore(row, before);
  }

  function renderLot(lot) {
    state.lot = lot;
    el("status").textContent = labels[lot.status] || lot.status;
    if (lot.sealed && !lot.final_price) {
      el("price").textContent = "—";
      el("next-minimum").textContent = t.tSealed;
    } else {
      el("price").textContent = fmt(lot.current_price || lot.starting_price);
      el("next-minimum").textContent = fmt(lot.next_minimum);
    }
    state.end = lot.countdown_ends_at ? Date.parse(lot.countdown_ends_at) : null;
    if (lot.status === "sold" || lot.status === "failed") { ended(lot); }
  }

  function ended(info) {
    state.ended = true;
    el("bid-panel").hidden = true;
    var box = el("outcome");
    box.hidden = false;
    box.textContent = "";
    var p = document.createElement("p");
    p.id = "outcome-text";
    p.textContent = info.status === "sold"
      ? t.tSold + " " + info.winner_number + " · " + fmt(info.final_price)
      : t.tFailed;
    box.appendChild(p);
    var a = document.createElement("a");
    a.className = "button";
    a.href = t.resultUrl;
    a.id = "result-link";
    a.textContent = t.tResult;
    box.appendChild(a);
    el("countdown").textContent = "00:00.0";
    el("status").textContent = labels[info.status] || info.status;
  }

  function tick() {
    if (!state.ended && state.end) {
      var left = Math.max(0, state.end - serverNow());
      var m = Math.floor(left / 60000), s = Math.floor(left % 60000 / 1000), d = Math.floor(left % 1000 / 100);
      el("countdown").textContent = String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0") + "." + d;
    } else if (!state.ended) {
      el("countdown").textContent = "—";
    }
  }

  function onMessage(event) { handle(JSON.parse(event.data)); }

  function handle(msg) {
    if (msg.type === "batch") { msg.items.forEach(handle); return; }
    if (msg.type === "snapshot") {
      if (!state.offsetKnown) { state.offset = Date.parse(msg.server_time) - Date.now(); }
      renderLot(msg.lot);
      state.seq = msg.lot.seq === null ? -1 : msg.lot.seq;
      (msg.bids || []).slice().reverse().forEach(function (b) { addBid(b, msg.you && b.number === msg.you.number); });
      if (msg.you && msg.you.can_bid && !state.ended) {
        state.me = msg.you.number;
        el("my-number").textContent = msg.you.number;
        el("bid-panel").hidden = false;
      }
      Object.keys(state.pending).forEach(function (k) { send({ op: "bid", amount: state.pending[k], key: k }); });
      return;
    }
    if (msg.type === "bid") {
      addBid(msg, msg.number === state.me);
      if (msg.seq > state.seq) {
        state.seq = msg.seq;
        state.lot.current_price = msg.current_price;
        var inc = Number(state.lot.increment) * (state.lot.direction === "down" ? -1 : 1);
        state.lot.next_minimum = (Number(msg.current_price) + inc).toFixed(2);
        state.lot.countdown_ends_at = msg.countdown_ends_at;
        state.lot.status = msg.status;
        renderLot(state.lot);
      }
      return;
    }
    if (msg.type === "opened" || msg.type === "live") {
      state.lot.status = msg.status;
      state.lot.countdown_ends_at = msg.countdown_ends_at;
      renderLot(state.lot);
      return;
    }
    if (msg.type === "ended") { ended(msg); return; }
    if (msg.op === "time") {
      var t1 = Date.now();
      state.offset = Date.parse(msg.server_time) - (msg.t0 + t1) / 2;
      state.offsetKnown = true;
      el("offset").textContent = String(Math.round(-state.offset));
      return;
    }
    if (msg.op === "bid_result") {
      delete state.pending[msg.key];
      var out = el("bid-message");
      out.className = msg.ok ? "msg success" : "msg error";
      out.textContent = msg.ok ? t.tAccepted + " #" + msg.seq + " · " + fmt(msg.amount) : msg.message;
      return;
    }
    if (msg.op === "error") { el("bid-message").textContent = msg.message; }
  }

  function send(obj) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + t.ws);
    el("conn").textContent = t.tConnecting;
    socket.onopen = function () {
      retry = 500;
      el("conn").textContent = t.tConnected;
      send({ op: "time", t0: Date.now() });
    };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      if (state.ended) { return; }
      el("conn").textContent = t.tReconnecting;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 8000);
    };
  }

  el("bid-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var amount = el("amount").value.trim();
    var k = key();
    state.pending[k] = amount;
    send({ op: "bid", amount: amount, key: k });
  });
  setInterval(tick, 100);
  setInterval(function () { send({ op: "time", t0: Date.now() }); }, 15000);
  connect();
})();

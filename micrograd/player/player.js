// The backprop player: steps through the forward and backward passes recorded in the JSON above.
// State at step k = the first k steps applied to the start; the page shows it (graph, explanation, table).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("micrograd-player-data").textContent);
  var player = document.querySelector(".mg-player");
  player.classList.add("mg-ready");
  var nodes = data.nodes, steps = data.steps, boxes = data.boxes, edges = data.edges;
  var N = steps.length, n = nodes.length;
  var extraOn = data.mode !== "correct" || data.hand;

  function q(sel, within) { return (within || player).querySelector(sel); }
  function qa(sel, within) { return Array.prototype.slice.call((within || player).querySelectorAll(sel)); }

  var svg = q(".mg-graph"), wrap = q(".mg-graph-wrap"), tableWrap = q(".mg-table-wrap");
  // node id -> the element carrying its data-grad
  var holders = [];
  qa("[data-node-id]").forEach(function (el) { holders[+el.getAttribute("data-node-id")] = el; });
  var boxEls = [];
  qa("g.mg-node").forEach(function (el) { boxEls[+el.getAttribute("data-box")] = el; });
  var paths = [];
  qa("path.mg-edge").forEach(function (el) { paths[+el.getAttribute("data-path")] = el; });
  var rows = [];
  qa("tr[data-row]").forEach(function (el) { rows[+el.getAttribute("data-row")] = el; });
  var callout = q(".mg-callout");
  var explain = q(".mg-explain"), side = q(".mg-side");
  // what the page says before the first step, as written in it: shown again at step 0
  var start = {phase: q(".mg-phase", explain).textContent, t: q(".mg-title", explain).textContent, l: [],
               w: q(".mg-note", explain).textContent};
  var range = q('[data-action="seek"]'), counter = q(".mg-counter"), playButton = q('[data-action="play"]');
  var fitButton = q('[data-action="fit"]'), speed = q('[data-action="speed"]');

  // ---------------------------------------------------------------- state
  function fresh() {
    // grad and mgrad in full (repr), gt and mgt as the panel writes them (Python's num: the script formats nothing)
    var s = {k: 0, computed: new Uint8Array(n), grad: new Array(n), gt: new Array(n), count: new Int32Array(n),
             complete: new Uint8Array(n), mgrad: new Array(n), mgt: new Array(n), mbad: new Uint8Array(n)};
    for (var i = 0; i < n; i++) {
      s.computed[i] = nodes[i].leaf ? 1 : 0;
      s.grad[i] = s.gt[i] = null;
      s.mgrad[i] = s.mgt[i] = null;
    }
    return s;
  }
  function apply(s, st) {
    if (st.k === "forward") s.computed[st.n] = 1;
    if (st.g) { s.grad[st.g[0]] = st.g[1]; s.gt[st.g[0]] = st.g[2]; s.count[st.g[0]] += 1; }
    if (st.d) st.d.forEach(function (i) { s.complete[i] = 1; });
    // the nodes backward() never reaches: their gradient stays 0
    if (st.k === "rest") st.d.forEach(function (i) { s.grad[i] = nodes[i].grad; s.gt[i] = nodes[i].gt; });
    var m = st.m;
    if (m && m.g) {
      s.mgrad[m.g[0]] = m.g[1];
      s.mgt[m.g[0]] = m.g[2];
      if (m.x) s.mbad[m.g[0]] = 1;
    }
    s.k += 1;
  }
  var state = fresh();
  function stateAt(k) {
    if (k < state.k) state = fresh();
    while (state.k < k) apply(state, steps[state.k]);
    return state;
  }

  // ---------------------------------------------------------------- drawing
  // what is on screen, to touch only what changes
  var shown = {};
  function set(key, el, prop, value) {
    if (shown[key] === value) return;
    shown[key] = value;
    if (prop === "text") el.textContent = value;
    else if (prop === "class") el.setAttribute("class", value);
    else el.setAttribute(prop, value);
  }
  function gradText(s, i) {
    if (s.grad[i] === null) return "grad ?";
    var text = "grad " + s.gt[i];
    if (!s.complete[i] && nodes[i].needs > 1) text += " (" + s.count[i] + "/" + nodes[i].needs + ")";
    return text;
  }
  function extraText(s, i, backward) {
    var node = nodes[i];
    if (data.mode !== "correct") {
      var name = data.mode === "naive" ? "naive " : "with = ";
      if (!backward) return name.trim();
      return s.mgrad[i] === null ? name + "?" : name + s.mgt[i] + (s.mbad[i] ? "  \u2717" : "");
    }
    if (!node.hand) return "";
    return "yours " + node.hand.yt + (s.complete[i] ? (node.hand.ok ? "  \u2713" : "  \u2717") : "");
  }
  function marks(st) {
    // the classes the current step puts on boxes and edges
    var box = {}, edge = {};
    function add(map, key, cls) { map[key] = (map[key] ? map[key] + " " : "") + cls; }
    if (!st) return {box: box, edge: edge};
    if (st.k === "forward") {
      add(box, nodes[st.n].box, "mg-current");
      edges.forEach(function (e) { if (e.p === st.n && e.path >= 0) add(edge, e.path, "mg-in"); });
    } else if (st.k === "seed" || st.k === "turn") {
      add(box, nodes[st.n].box, "mg-turn");
    } else if (st.k === "rest") {
      st.d.forEach(function (i) { if (!box[nodes[i].box]) add(box, nodes[i].box, "mg-receiving"); });
    } else if (st.k === "edge") {
      add(box, nodes[st.n].box, "mg-turn");
      if (nodes[st.c].box !== nodes[st.n].box) add(box, nodes[st.c].box, "mg-receiving");
      if (edges[st.e].path >= 0) add(edge, edges[st.e].path, "mg-flow");
    }
    var m = st.m;
    if (m && m.k !== "idle") {
      add(box, nodes[m.n].box, "mg-side-current");
      if (m.k === "edge" && edges[m.e].path >= 0 && !(st.k === "edge" && st.e === m.e)) {
        add(edge, edges[m.e].path, m.x ? "mg-flow-wrong" : "mg-side-flow");
      }
    }
    return {box: box, edge: edge};
  }

  function drawGraph(s, st) {
    var mk = marks(st);
    for (var i = 0; i < n; i++) {
      set("h" + i, holders[i], "data-grad", s.complete[i] && s.grad[i] !== null ? s.grad[i] : "");
    }
    boxes.forEach(function (b, bi) {
      var el = boxEls[bi], i = b.node, cls = "mg-node mg-" + b.kind;
      if (!s.computed[i]) cls += " mg-pending";
      if (s.complete[i]) cls += " mg-complete"; else if (s.grad[i] !== null) cls += " mg-partial";
      var node = nodes[i];
      if (node.hand && s.complete[i]) cls += node.hand.ok ? " mg-hand-ok" : " mg-hand-bad";
      if (extraOn) {
        if (data.mode !== "correct" ? s.mbad[i] : node.hand && s.complete[i] && !node.hand.ok) cls += " mg-extra-bad";
        else if (node.hand && s.complete[i]) cls += " mg-extra-ok";
      }
      if (mk.box[bi]) cls += " " + mk.box[bi];
      set("c" + bi, el, "class", cls);
      set("d" + bi, q(".mg-data", el), "text", s.computed[i] ? "data " + node.dt : "data ?");
      set("g" + bi, q(".mg-grad", el), "text", s.k > data.forward ? gradText(s, i) : "grad");
      if (extraOn) set("x" + bi, q(".mg-extra", el), "text", extraText(s, i, s.k > data.forward));
    });
    paths.forEach(function (p, pi) { set("p" + pi, p, "class", "mg-edge" + (mk.edge[pi] ? " " + mk.edge[pi] : "")); });
  }

  // The current step's formula in a callout beside the node it is about, where it covers no other box.
  function drawCallout(st) {
    var show = st && st.m && st.m.x ? st.m : st;
    if (!show || show.k === "idle") { callout.hidden = true; return; }
    while (callout.firstChild) callout.removeChild(callout.firstChild);
    [show.t].concat(show.l).forEach(function (line, i) {
      var div = document.createElement("div");
      div.textContent = line;
      if (i === 0) div.className = "mg-callout-title";
      callout.appendChild(div);
    });
    callout.className = "mg-callout" + (show.x ? " mg-wrong" : show.k === "forward" ? " mg-fwd" : "");
    callout.hidden = false;
    var involved = {}, anchors = [];
    [show.k === "edge" ? show.c : show.n, show.n].forEach(function (i) {
      if (!involved[nodes[i].box]) anchors.push(boxes[nodes[i].box]);
      involved[nodes[i].box] = 1;
    });
    var w = callout.offsetWidth, h = callout.offsetHeight, gap = 10, bw = data.boxSize[0] * scale;
    var spots = [];
    [0, 1, 2].forEach(function (far) {
      anchors.forEach(function (b) {
        var bx = b.x * scale, by = b.y * scale, bh = b.h * scale, d = gap + far * 40 * scale;
        spots.push([bx, by + bh + d], [bx, by - h - d], [bx + bw - w, by + bh + d], [bx + bw - w, by - h - d],
                   [bx + bw / 2 - w / 2, by + bh + d], [bx + bw / 2 - w / 2, by - h - d]);
      });
    });
    var best = null, bestCost = Infinity;
    spots.forEach(function (p, order) {
      var x = Math.max(2, Math.min(p[0], W * scale - w - 2)), y = Math.max(2, p[1]), cost = order;
      boxes.forEach(function (o, oi) {
        var ox = o.x * scale, oy = o.y * scale, oh = o.h * scale;
        var dx = Math.min(x + w, ox + bw) - Math.max(x, ox), dy = Math.min(y + h, oy + oh) - Math.max(y, oy);
        // never hide the boxes the step is about; hiding another costs more the more of it is hidden
        if (dx > 0 && dy > 0) cost += dx * dy * (involved[oi] ? 100 : 1) + 500;
      });
      if (y + h > Math.max(H * scale, wrap.clientHeight)) cost += 1e7;
      if (cost < bestCost) { best = [x, y]; bestCost = cost; }
    });
    callout.style.left = best[0] + "px";
    callout.style.top = best[1] + "px";
  }

  function fill(box, st, phase) {
    q(".mg-phase", box).textContent = phase;
    q(".mg-title", box).textContent = st ? st.t : "";
    var lines = q(".mg-lines", box);
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    (st ? st.l : []).forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line;
      lines.appendChild(div);
    });
    q(".mg-note", box).textContent = st ? st.w : "";
  }

  function drawPanel(s, st) {
    var k = s.k;
    var phase = k === 0 ? "start" : (st.k === "forward" ? "forward" : "backward") + " \u00b7 step " + k + " of " + N;
    if (k === 0) {
      fill(explain, start, start.phase);
    } else {
      fill(explain, st, phase);
      if (k === N) {
        q(".mg-note", explain).textContent = st.w + " \u2714 Last step: every gradient now equals .grad after " +
          data.rootName + ".backward().";
      }
    }
    explain.className = "mg-explain" + (k && st.k !== "forward" ? " mg-back" : "") + (k === N ? " mg-done" : "") +
      (st && st.x ? " mg-wrong" : "");
    if (side) {
      var m = st && st.m;
      var title = q(".mg-phase", side);
      if (m) {
        fill(side, m, data.modeName + ", at the same step");
        side.className = "mg-side" + (m.x ? " mg-wrong" : "");
      } else {
        fill(side, null, data.modeName + ", at the same step");
        var before = k <= data.forward;
        q(".mg-title", side).textContent = before ? "The forward pass is the same for both walks." :
          (data.firstWrong ? "Stopped at its first wrong gradient (step " + data.firstWrong.step + ")." : "Finished.");
        q(".mg-note", side).textContent = before ? "" : data.summary;
        side.className = "mg-side" + (!before && data.firstWrong ? " mg-wrong" : "");
        title.textContent = data.modeName;
      }
    }
  }

  function drawTable(s, st) {
    var current = st ? (st.k === "edge" ? st.c : st.n) : -1;
    for (var i = 0; i < n; i++) {
      var row = rows[i], cells = row.children, node = nodes[i];
      set("td" + i, cells[1], "text", s.computed[i] ? node.dt : "");
      var g = s.grad[i] === null ? "" : s.grad[i] + (s.complete[i] || node.needs < 2 ? "" :
        " (" + s.count[i] + "/" + node.needs + ")");
      set("tg" + i, cells[2], "text", g);
      set("tgc" + i, cells[2], "class", "mg-t-grad" + (s.grad[i] !== null && !s.complete[i] ? " mg-partial" : ""));
      if (extraOn) {
        var x = "", cls = "mg-t-extra";
        if (data.mode !== "correct") {
          x = s.mgrad[i] === null ? "" : s.mgrad[i];
          if (s.mbad[i]) { x += " \u2717"; cls += " mg-bad"; }
        } else if (node.hand) {
          x = node.hand.yours;
          if (s.complete[i]) { x += node.hand.ok ? " \u2713" : " \u2717"; cls += node.hand.ok ? " mg-ok" : " mg-bad"; }
          set("tt" + i, cells[3], "title", node.hand.verdict);
        }
        set("tx" + i, cells[3], "text", x);
        set("txc" + i, cells[3], "class", cls);
      }
      set("tr" + i, row, "class", i === current ? "mg-current" : "");
    }
    if (current >= 0) {
      var r = rows[current];
      var top = r.offsetTop - tableWrap.clientHeight / 2;
      if (r.offsetTop < tableWrap.scrollTop + 30 || r.offsetTop > tableWrap.scrollTop + tableWrap.clientHeight - 30) {
        tableWrap.scrollTop = Math.max(0, top);
      }
    }
  }

  // ---------------------------------------------------------------- fitting and following
  var W = data.size[0], H = data.size[1], scale = 1, fitted = false;
  function fitScale() {
    var w = wrap.clientWidth - 2, h = Math.max(wrap.clientHeight, window.innerHeight * 0.5) - 2;
    // a small graph is shown larger
    return Math.min(1.4, w / W, h / H);
  }
  function resize() {
    scale = fitted ? fitScale() : 1;
    svg.setAttribute("width", Math.round(W * scale));
    svg.setAttribute("height", Math.round(H * scale));
    fitButton.textContent = fitted ? "100%" : "fit";
  }
  function follow(st) {
    if (!st) return;
    var b = boxes[nodes[st.k === "edge" ? st.c : st.n].box];
    var x = b.x * scale, y = b.y * scale, margin = 40;
    if (x < wrap.scrollLeft + margin || x + 140 * scale > wrap.scrollLeft + wrap.clientWidth - margin) {
      wrap.scrollLeft = Math.max(0, x - wrap.clientWidth / 2);
    }
    if (y < wrap.scrollTop + margin || y + 80 * scale > wrap.scrollTop + wrap.clientHeight - margin) {
      wrap.scrollTop = Math.max(0, y - wrap.clientHeight / 2);
    }
  }

  // ---------------------------------------------------------------- stepping
  var k = 0, timer = null;
  function go(to) {
    k = Math.max(0, Math.min(N, to));
    var s = stateAt(k), st = k ? steps[k - 1] : null;
    drawGraph(s, st);
    drawPanel(s, st);
    drawTable(s, st);
    drawCallout(st);
    follow(st);
    range.value = k;
    counter.textContent = "step " + k + " of " + N;
    q('[data-action="start"]').disabled = q('[data-action="prev"]').disabled = k === 0;
    q('[data-action="end"]').disabled = q('[data-action="next"]').disabled = k === N;
    player.setAttribute("data-step", k);
    if (k === N) stop();
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.textContent = "\u25b6 play";
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (k === N) go(0);
    playButton.textContent = "\u275a\u275a pause";
    timer = setInterval(function () { go(k + 1); }, +speed.value);
  }
  var actions = {
    start: function () { stop(); go(0); },
    prev: function () { stop(); go(k - 1); },
    next: function () { stop(); go(k + 1); },
    end: function () { stop(); go(N); },
    play: toggle,
    fit: function () { fitted = !fitted; resize(); go(k); },
    "first-wrong": function () { stop(); if (data.firstWrong) go(data.firstWrong.step); }
  };
  player.addEventListener("click", function (event) {
    var el = event.target.closest("[data-action]");
    if (el && actions[el.getAttribute("data-action")]) actions[el.getAttribute("data-action")]();
  });
  range.addEventListener("input", function () { stop(); go(+range.value); });
  speed.addEventListener("change", function () { if (timer !== null) { stop(); toggle(); } });
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key, act = {ArrowRight: "next", ArrowDown: "next", ArrowLeft: "prev", ArrowUp: "prev",
                                Home: "start", End: "end", " ": "play"}[key];
    if (!act || (tag === "BUTTON" && key === " ")) return;
    event.preventDefault();
    actions[act]();
  });
  window.addEventListener("resize", function () { if (fitted) { resize(); go(k); } });

  fitted = fitScale() >= 0.7;
  resize();
  go(0);
})();

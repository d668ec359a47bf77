// wordlight app page, part 1: shared helpers and the renderers of each view (vanilla JS, no build
// step, no CDN). Every text goes in with textContent; colours through the CSSOM, never markup.
"use strict";

const $ = (id) => document.getElementById(id);
const S = { view: "explain", methods: [], layerMethods: [], models: [], datasets: [],
            result: null, kind: null, job: null, sort: { key: "i", dir: 1 }, row: null,
            threshold: 0.5 };  // a multi-label model's label threshold (the server words by it)
const DEFAULT_COMPARE = ["saliency", "gradient_x_input", "integrated_gradients"];
const PALETTE = ["#2457a6", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
                 "#f39c12", "#2c3e50", "#e84393"];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = String(v);
    else if (k.startsWith("data-") || k.startsWith("aria-")) node.setAttribute(k, String(v));
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
function fmt(x, d = 3) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return "–";
  const v = Number(x);
  return v !== 0 && Math.abs(v) < 10 ** -d ? v.toExponential(2) : v.toFixed(d);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- colours: the library's scale (green towards the target, red against, white at 0) ------
function colour(score, scale, unsigned) {
  const amount = (!Number.isFinite(score) || !(scale > 0)) ? 0 : Math.min(Math.abs(score) / scale, 1);
  const light = 1 - 0.4 * amount;
  if (unsigned) return `hsl(220, 75%, ${(light * 100).toFixed(1)}%)`;
  const chroma = (1 - Math.abs(2 * light - 1)) * 0.75;
  const strong = Math.round((light + chroma / 2) * 255);
  const weak = Math.round((light - chroma / 2) * 255);
  return score > 0 ? `rgb(${weak}, ${strong}, ${weak})` : `rgb(${strong}, ${weak}, ${weak})`;
}

function units(expl, level) {
  if (level === "token") return expl.tokens.map((t, i) => ({ i, text: t[0], start: t[1], end: t[2], score: expl.scores[i] }));
  return expl.words.map((w, i) => ({ i, text: w[0], start: w[1], end: w[2], score: expl.word_scores[i] }));
}
const level = () => $("level").value;
const scaleOf = (expls) => Math.max(1e-12, ...expls.flatMap((e) => units(e, level()).map((u) => Math.abs(u.score))));

function highlights(box, expl, scale, unsigned) {
  clear(box);
  let pos = 0;
  const us = units(expl, level()).filter((u) => u.end > u.start).sort((a, b) => a.start - b.start);
  for (const u of us) {
    if (u.start < pos) continue;
    if (u.start > pos) box.append(document.createTextNode(expl.text.slice(pos, u.start)));
    const span = el("span", { class: "w", text: expl.text.slice(u.start, u.end), title: `${u.text}: ${fmt(u.score, 4)}`,
                              "data-score": u.score, "data-index": u.i });
    span.style.backgroundColor = colour(u.score, scale, unsigned);
    box.append(span);
    pos = u.end;
  }
  if (pos < expl.text.length) box.append(document.createTextNode(expl.text.slice(pos)));
}

function legend(box, scale, unsigned, label) {
  clear(box);
  box.append(el("span", { text: unsigned ? "0" : `−${fmt(scale)}` }),
             el("span", { class: `bar ${unsigned ? "unsigned" : "signed"}` }),
             el("span", { text: `+${fmt(scale)}` }),
             el("span", { class: "muted", text: unsigned ? "unsigned: magnitude only"
                          : `green pushes towards “${label}”, red against` }));
}

// --- prediction renderers, by kind: the model's head (service.prediction) ------------------
function probabilityBars(p) {  // one bar per label, 0..1
  const grid = el("div", { class: "pred" });
  p.labels.forEach((label, i) => {
    const fill = el("div", { class: "fill" });
    fill.style.width = `${(100 * p.values[i]).toFixed(1)}%`;
    const on = p.kind === "labels" && p.predicted_labels.includes(label);
    const name = el("span", { text: label + (label === p.true_label ? " (true)" : ""),
                              class: label === p.true_label || on ? "truth" : "" });
    grid.append(name, el("div", { class: "barbox" }, fill), el("span", { class: "num", text: fmt(p.values[i]) }));
  });
  return grid;
}
const PREDICTION = {
  distribution(box, p) {  // classes: one distribution
    box.append(el("div", { text: `Predicted: ${p.predicted}` }), probabilityBars(p));
  },
  labels(box, p) {  // multi-label: each label's own sigmoid probability, not a distribution
    const input = el("input", { id: "label-threshold", type: "number", min: "0", max: "1", step: "0.05",
                                value: String(p.threshold), "aria-label": "label threshold" });
    input.addEventListener("change", () => {  // the scores are cached: the rerun only rewords
      const t = Number(input.value);
      if (input.value === "" || !(t >= 0 && t <= 1)) { showError("the label threshold must lie in [0, 1]"); return; }
      S.threshold = t; run(S.view);
    });
    box.append(el("div", { text: `Predicted labels (probability above ${fmt(p.threshold)}): ${p.predicted}` }),
               el("label", { class: "muted" }, "threshold ", input),
               probabilityBars(p),
               el("div", { class: "muted", text: "each label's own probability; they need not sum to one" }));
  },
  value(box, p) {  // regression: the predicted value, no class and no probability
    box.append(el("div", { class: "value", text: `Predicted ${p.predicted}` }));
  },
};
function prediction(box, p) {
  clear(box);
  (PREDICTION[p.kind] || PREDICTION.distribution)(box, p);
}

// --- views ------------------------------------------------------------------------------------
function renderExplain(view) {
  const expl = view.explanation;
  const scale = scaleOf([expl]);
  prediction($("prediction"), view.prediction);
  legend($("legend"), scale, view.unsigned, expl.target_label);
  highlights($("highlights"), expl, scale, view.unsigned);
  const d = expl.completeness_delta;
  $("delta").textContent = d === null || d === undefined
    ? `${expl.method} has no completeness delta`
    : `completeness delta ${fmt(d, 5)} (sum of scores ${fmt(expl.scores.reduce((a, b) => a + b, 0), 4)})`
      + (expl.n_steps ? `, ${expl.n_steps} steps` : "")
      + (expl.max_token_error === null || expl.max_token_error === undefined
        ? "" : ` · token error ≤ ${fmt(expl.max_token_error, 3)} (est.)`);
  if (view.faithfulness) {
    $("delta").textContent += ` · comprehensiveness ${fmt(view.faithfulness.comprehensiveness)}`
      + ` · sufficiency ${fmt(view.faithfulness.sufficiency)}`;
  }
  renderTable(expl);
}

function renderTable(expl) {
  const body = clear($("scores").querySelector("tbody"));
  const { key, dir } = S.sort;
  const rows = units(expl, level()).sort((a, b) => {
    const x = key === "score" ? Math.abs(a.score) : a[key];
    const y = key === "score" ? Math.abs(b.score) : b[key];
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  for (const u of rows) {
    body.append(el("tr", {}, el("td", { class: "num", text: u.i }), el("td", { text: u.text }),
                   el("td", { class: "num", text: fmt(u.score, 4) })));
  }
}

function renderCompare(data) {
  const box = clear($("compare-results"));
  for (const r of data.results) {  // one scale per card: methods score in different units
    const f = r.faithfulness || {};
    const scale = scaleOf([r.explanation]);
    const hl = el("p", { class: "highlights" });
    highlights(hl, r.explanation, scale, r.unsigned);
    box.append(el("div", { class: "card", "data-method": r.method, "data-model": r.model },
      el("h4", { text: `${r.model}: ${r.method}` }),
      el("div", { class: "muted", text: `predicted ${r.prediction.predicted} · scale ${r.unsigned ? "0 to " : "±"}${fmt(scale)}` }),
      el("div", {}, el("span", { class: "badge comp", title: "comprehensiveness (higher is better)",
                                 text: `comp ${fmt(f.comprehensiveness)}` }),
                    el("span", { class: "badge suff", title: "sufficiency (lower is better)",
                                 text: `suff ${fmt(f.sufficiency)}` })),
      hl));
  }
  const table = clear($("agreement"));
  const head = el("tr", {}, el("th", { text: "" }));
  data.agreement.names.forEach((n) => head.append(el("th", { text: n })));
  table.append(head);
  data.agreement.matrix.forEach((row, i) => {
    const tr = el("tr", {}, el("th", { text: data.agreement.names[i] }));
    row.forEach((v) => {
      const td = el("td", { class: "num", text: fmt(v, 2) });
      if (v !== null) td.style.backgroundColor = colour(v, 1, false);
      tr.append(td);
    });
    table.append(tr);
  });
}

function renderLayers(data) {
  const L = data.layers;
  const canvas = $("heatmap");
  const ctx = canvas.getContext("2d");
  const cell = { w: Math.max(18, Math.min(48, Math.floor(900 / Math.max(1, L.tokens.length)))), h: 22 };
  const left = 70, top = 80;
  canvas.width = left + cell.w * L.tokens.length + 10;
  canvas.height = top + cell.h * L.layers.length + 10;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.max(1e-12, ...L.scores.flat().map(Math.abs));
  ctx.font = "12px sans-serif"; ctx.fillStyle = "#111";
  L.tokens.forEach((t, i) => {
    ctx.save(); ctx.translate(left + i * cell.w + cell.w / 2, top - 6); ctx.rotate(-Math.PI / 4);
    ctx.fillStyle = L.special[i] ? "#999" : "#111"; ctx.fillText(t[0], 0, 0); ctx.restore();
  });
  L.layers.forEach((layer, r) => {
    ctx.fillStyle = "#111"; ctx.fillText(`layer ${layer}`, 4, top + r * cell.h + 15);
    L.tokens.forEach((t, i) => {
      ctx.fillStyle = colour(L.scores[r][i], scale, false);
      ctx.fillRect(left + i * cell.w, top + r * cell.h, cell.w - 1, cell.h - 1);
    });
  });
  S.heat = { left, top, cell, L };
  drawCurves(data.curves);
}

function heatHover(ev) {
  const tip = $("heat-tip");
  if (!S.heat) return;
  const { left, top, cell, L } = S.heat;
  const rect = $("heatmap").getBoundingClientRect();
  const x = ev.clientX - rect.left, y = ev.clientY - rect.top;
  const i = Math.floor((x - left) / cell.w), r = Math.floor((y - top) / cell.h);
  if (i < 0 || r < 0 || i >= L.tokens.length || r >= L.layers.length) { tip.classList.add("hidden"); return; }
  tip.textContent = `layer ${L.layers[r]} · ${L.tokens[i][0]}: ${fmt(L.scores[r][i], 5)}`;
  tip.style.left = `${x + 12}px`; tip.style.top = `${y + 12}px`;
  tip.classList.remove("hidden");
}

function drawCurves(curves) {
  const canvas = $("curves"), ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, pad = 36;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
  const all = curves.values.flat().filter((v) => v !== null);
  const lo = Math.min(0, ...all), hi = Math.max(1e-12, ...all);
  const n = curves.layers.length;
  const X = (k) => pad + (n > 1 ? k * (W - 2 * pad) / (n - 1) : (W - 2 * pad) / 2);
  const Y = (v) => H - pad - (v - lo) / ((hi - lo) || 1) * (H - 2 * pad);
  ctx.strokeStyle = "#bbb"; ctx.beginPath(); ctx.moveTo(pad, Y(0)); ctx.lineTo(W - pad, Y(0)); ctx.stroke();
  ctx.fillStyle = "#111"; ctx.font = "11px sans-serif";
  curves.layers.forEach((layer, k) => ctx.fillText(String(layer), X(k) - 3, H - pad + 14));
  ctx.fillText(fmt(hi, 3), 2, Y(hi) + 4); ctx.fillText(fmt(lo, 3), 2, Y(lo));
  const box = clear($("curves-legend"));
  curves.words.forEach((word, w) => {
    const c = PALETTE[w % PALETTE.length];
    ctx.strokeStyle = c; ctx.lineWidth = 1.5; ctx.beginPath();
    curves.values[w].forEach((v, k) => { if (v !== null) (k ? ctx.lineTo(X(k), Y(v)) : ctx.moveTo(X(k), Y(v))); });
    ctx.stroke();
    const sw = el("span", { class: "swatch" }); sw.style.backgroundColor = c;
    box.append(el("span", {}, sw, word));
  });
}

function renderDiff(data) {
  const p = data.prediction;
  const box = clear($("diff-prediction"));
  const iB = p.labels.indexOf(p.predicted_before), iA = p.labels.indexOf(p.predicted_after);
  const summary = {  // by the model's head, as the other views word it
    distribution: () => `Prediction: ${p.predicted_before} (${fmt(p.before[iB])}) → ${p.predicted_after} (${fmt(p.after[iA])})`,
    labels: () => `Predicted labels: ${p.predicted_before} → ${p.predicted_after}`,
    value: () => `Predicted value: ${fmt(p.before[0])} → ${fmt(p.after[0])}`,
  }[p.kind] || (() => "");
  box.append(el("p", { id: "diff-summary", text: summary() }));
  const head = { distribution: "class", labels: "label (probability)", value: "output" }[p.kind] || "class";
  const t = el("table", {}, el("tr", {}, el("th", { text: head }), el("th", { text: "before" }),
                               el("th", { text: "after" }), el("th", { text: "change" })));
  p.labels.forEach((l, i) => t.append(el("tr", {}, el("td", { text: l }), el("td", { class: "num", text: fmt(p.before[i]) }),
    el("td", { class: "num", text: fmt(p.after[i]) }), el("td", { class: "num", text: (p.change[i] >= 0 ? "+" : "") + fmt(p.change[i]) }))));
  box.append(t);
  const scale = scaleOf([data.before.explanation, data.after.explanation]);
  const body = clear($("diff").querySelector("tbody"));
  for (const r of data.rows) {
    const cellB = el("td", { class: "before", text: r.before ? r.before.word : "" });
    const cellA = el("td", { class: "after", text: r.after ? r.after.word : "" });
    if (r.before) cellB.style.backgroundColor = colour(r.before.score, scale, data.before.unsigned);
    if (r.after) cellA.style.backgroundColor = colour(r.after.score, scale, data.after.unsigned);
    body.append(el("tr", { class: `op-${r.op}`, "data-op": r.op }, cellB,
      el("td", { class: "num", text: r.before ? fmt(r.before.score, 4) : "" }), cellA,
      el("td", { class: "num", text: r.after ? fmt(r.after.score, 4) : "" }),
      el("td", { class: "num", text: r.change === null ? r.op : fmt(r.change, 4) })));
  }
}


// wordlight app page, part 3: the Runs view over explain-dataset runs declared with --results
// (a table of rows with inline word heatmaps, paged, sorted and filtered on the server), a run's
// row in the single-text view, and the corpus report's per-class words. The URL holds the state.
// Uses views.js's helpers; api() and showView() come from app.js (called only after start-up).
"use strict";

const R = { runs: [], page: 0, pageSize: 25, sort: "row", desc: false, total: 0 };
const RUN_FILTERS = [  // [query name, input id]
  ["label", "rf-label"], ["correct", "rf-correct"], ["min_confidence", "rf-minconf"],
  ["max_confidence", "rf-maxconf"], ["min_delta", "rf-mindelta"], ["max_delta", "rf-maxdelta"],
  ["metric", "rf-metric"], ["min_metric", "rf-minmetric"], ["max_metric", "rf-maxmetric"],
  ["word", "rf-word"],
];
const TEXT_SECTIONS = ["input", "method-panel", "results"];

function showPage(name) {
  for (const id of TEXT_SECTIONS) $(id).classList.toggle("hidden", name !== "text");
  $("runs-view").classList.toggle("hidden", name !== "runs");
  $("corpus-view").classList.toggle("hidden", name !== "corpus");
  for (const b of $("pages").querySelectorAll("[data-page]")) b.classList.toggle("active", b.getAttribute("data-page") === name);
}

function runInfo(name) { return R.runs.find((r) => r.name === name); }

function fillRunFilters() {
  const info = runInfo($("run").value);
  const label = clear($("rf-label"));
  label.append(el("option", { value: "", text: "any" }));
  const metric = clear($("rf-metric"));
  metric.append(el("option", { value: "", text: "(none)" }));
  if (!info) return;
  for (const l of info.true_labels) label.append(el("option", { value: l, text: l }));
  for (const m of info.metrics) metric.append(el("option", { value: m, text: m }));
  for (const th of $("run-rows").querySelectorAll(".metric-col")) {
    th.classList.toggle("hidden", !info.metrics.includes(th.getAttribute("data-sort")));
  }
  const heads = {  // the columns' words by the model's head (a value has no class and no p)
    regression: ["value", "", "words (green: raising the value, red: lowering it)"],
    multi_label: ["top label", "its p", "words (green: towards the explained label)"],
  };
  const [pred, p, words] = heads[info.head] || ["predicted", "p", "words (green: towards the explained class)"];
  $("rh-pred").textContent = pred; $("rh-p").textContent = p; $("rh-words").textContent = words;
  $("rh-pred").setAttribute("data-sort", info.head === "regression" ? "confidence" : "predicted_label");
  $("rh-p").classList.toggle("hidden", info.head === "regression");
  $("rf-correct").disabled = info.head === "regression";
  $("run-info").textContent = `${info.rows} rows over ${info.texts} texts · ${info.method || "?"} on ${info.model || "?"}`;
}

function runQuery() {
  const q = new URLSearchParams();
  for (const [k, id] of RUN_FILTERS) { const v = $(id).value.trim(); if (v !== "") q.set(k, v); }
  q.set("sort", R.sort); if (R.desc) q.set("desc", "true");
  q.set("page", String(R.page)); q.set("page_size", String(R.pageSize));
  return q;
}

function inlineHeat(row) {
  const box = el("div", { class: "inline-heat" });
  const scores = row.word_scores.map((s) => (s === null ? 0 : s));
  const scale = Math.max(1e-12, ...scores.map(Math.abs));
  row.words.slice(0, 80).forEach((w, i) => {
    const span = el("span", { class: "w", text: w, title: `${w}: ${fmt(scores[i], 4)}`, "data-score": scores[i] });
    span.style.backgroundColor = colour(scores[i], scale, false);
    box.append(span);
  });
  if (row.words.length > 80) box.append(el("span", { class: "muted", text: "…" }));
  return box;
}

async function loadRunRows(push = true) {
  $("runs-error").textContent = "";
  const name = $("run").value;
  if (!name) return;
  try {
    const found = await api(`/runs/${encodeURIComponent(name)}/rows?${runQuery()}`);
    R.total = found.total;
    const info = runInfo(name);
    const value = info && info.head === "regression";  // the predicted value, not a class and its p
    const body = clear($("run-rows").querySelector("tbody"));
    for (const r of found.rows) {
      const cells = [el("td", { class: "num", text: r.row }), el("td", { text: r.true_label ?? "–" }),
        value ? el("td", { class: "num", text: fmt(r.confidence, 3) }) : el("td", { text: r.predicted_label ?? "–" }),
        el("td", { class: value ? "num hidden" : "num", text: fmt(r.confidence, 3) }),
        el("td", { class: "num", text: fmt(r.completeness_delta === null ? null : Math.abs(r.completeness_delta), 4) })];
      for (const m of ["comprehensiveness", "sufficiency"]) {
        if (info && info.metrics.includes(m)) cells.push(el("td", { class: "num", text: fmt(r[m], 3) }));
      }
      cells.push(el("td", {}, inlineHeat(r)));
      const tr = el("tr", { class: r.correct === false ? "wrong" : "", title: "open in the single-text view",
                            "data-row": r.row, "data-target": r.target ?? "" }, ...cells);
      tr.addEventListener("click", () => openRunRow(name, r.row, r.target));
      body.append(tr);
    }
    const first = found.total ? R.page * R.pageSize + 1 : 0;
    $("rp-info").textContent = `rows ${first}–${R.page * R.pageSize + found.rows.length} of ${found.total} matching`;
    $("rp-prev").disabled = R.page === 0;
    $("rp-next").disabled = (R.page + 1) * R.pageSize >= found.total;
    for (const th of $("run-rows").querySelectorAll("th[data-sort]")) {
      const on = th.getAttribute("data-sort") === R.sort;
      th.classList.toggle("sorted-asc", on && !R.desc);
      th.classList.toggle("sorted-desc", on && R.desc);
    }
    if (push) saveRunsUrl("runs");
    document.body.setAttribute("data-runs", `${R.sort}:${R.desc}:${R.page}:${found.total}`);
  } catch (e) { $("runs-error").textContent = String(e.message || e); }
}

async function openRunRow(name, row, target) {
  $("runs-error").textContent = "";
  try {
    const q = target === null || target === undefined || target === "" ? "" : `?target=${Number(target)}`;
    const view = await api(`/runs/${encodeURIComponent(name)}/rows/${Number(row)}${q}`);
    showPage("text");
    showView("explain");
    $("text").value = view.explanation.text;
    const m = methodByName(view.explanation.method);  // the run's method and parameters
    if (m) {
      $("method").value = m.name;
      const params = {};
      for (const [k, v] of Object.entries(view.explanation.params || {})) {
        if (v === null || typeof v !== "object") params[k] = v;
      }
      buildForm($("params"), m, params);
    }
    S.row = null; S.result = view; S.kind = "explain";
    renderExplain(view);
    setStatus(`run ${name}, row ${view.row} (id ${view.id}), explaining “${view.explanation.target_label}”`
      + (view.correct === false ? " · a wrong prediction" : ""));
    $("dl-json").disabled = false; $("dl-html").disabled = false; $("dl-png").disabled = true;
    const u = new URLSearchParams({ page: "runrow", run: name, row: String(view.row), target: String(view.target) });
    history.replaceState(null, "", `${location.pathname}?${u}`);
    document.body.setAttribute("data-ready", "runrow");
  } catch (e) { showPage("runs"); $("runs-error").textContent = String(e.message || e); }
}

async function loadCorpus(push = true) {
  $("corpus-error").textContent = "";
  const name = $("corpus-run").value;
  if (!name) return;
  try {
    const min = Math.max(1, Number($("corpus-min").value) || 5);
    const s = await api(`/runs/${encodeURIComponent(name)}/summary?min_count=${min}&top=15`);
    const outcome = $("corpus-outcome").value;
    $("corpus-info").textContent = `${s.rows} rows, ${s.texts} texts` +
      (s.accuracy === null ? "" : `, accuracy ${fmt(s.accuracy, 3)}`) + ` · words seen ≥ ${s.min_count} times`;
    const box = clear($("corpus-classes"));
    for (const label of s.classes) {
      const card = el("div", { class: "card", "data-class": label }, el("h4", { text: label }));
      for (const side of ["towards", "against"]) {
        card.append(el("div", { class: "muted", text: side === "towards" ? "towards the class" : "against it" }));
        const list = el("ol", { class: "words-list" });
        for (const w of s.per_class[label][outcome][side]) {
          list.append(el("li", { text: `${w.word}  ${fmt(w.mean, 4)} [${fmt(w.ci[0], 4)}, ${fmt(w.ci[1], 4)}] ×${w.count}` }));
        }
        if (!list.firstChild) list.append(el("li", { class: "muted", text: "none with enough occurrences" }));
        card.append(list);
      }
      box.append(card);
    }
    const body = clear($("corpus-flipping").querySelector("tbody"));
    for (const f of s.flipping) {
      const parts = f.classes.map((c, i) => `${c} (${fmt(f.means[i], 4)}, ×${f.counts[i]})`);
      body.append(el("tr", {}, el("td", { text: f.word }), el("td", { text: parts.join(" · ") })));
    }
    if (push) saveRunsUrl("corpus");
    document.body.setAttribute("data-corpus", name);
  } catch (e) { $("corpus-error").textContent = String(e.message || e); }
}

function saveRunsUrl(page) {
  let q;
  if (page === "runs") {
    q = runQuery(); q.delete("page_size"); q.set("p", q.get("page")); q.delete("page");
    q.set("run", $("run").value);
  } else {
    q = new URLSearchParams({ run: $("corpus-run").value, outcome: $("corpus-outcome").value,
                              min_count: $("corpus-min").value });
  }
  q.set("page", page);
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

function setSelect(id, v) {
  if (v !== null && [...$(id).options].some((o) => o.value === v)) $(id).value = v;
}

// Start-up: list the runs; restore a Runs, corpus or run-row URL. True when the URL was one.
async function initRuns() {
  R.runs = await api("/runs");
  if (!R.runs.length) return false;
  $("pages").classList.remove("hidden");
  for (const r of R.runs) {
    $("run").append(el("option", { value: r.name, text: `${r.name} (${r.rows} rows)` }));
    $("corpus-run").append(el("option", { value: r.name, text: r.name }));
  }
  fillRunFilters();
  wireRuns();
  const q = new URLSearchParams(location.search);
  const page = q.get("page");
  if (!["runs", "corpus", "runrow"].includes(page)) return false;
  setSelect("run", q.get("run")); setSelect("corpus-run", q.get("run"));
  fillRunFilters();
  if (page === "runrow") { await openRunRow(q.get("run"), Number(q.get("row")), q.get("target")); return true; }
  if (page === "corpus") {
    setSelect("corpus-outcome", q.get("outcome"));
    if (q.get("min_count")) $("corpus-min").value = q.get("min_count");
    showPage("corpus"); await loadCorpus(false); return true;
  }
  for (const [k, id] of RUN_FILTERS) if (q.get(k) !== null) { if ($(id).tagName === "SELECT") setSelect(id, q.get(k)); else $(id).value = q.get(k); }
  R.sort = q.get("sort") || "row"; R.desc = q.get("desc") === "true"; R.page = Math.max(0, Number(q.get("p")) || 0);
  showPage("runs"); await loadRunRows(false);
  return true;
}

function wireRuns() {
  for (const b of $("pages").querySelectorAll("[data-page]")) {
    b.addEventListener("click", () => {
      const page = b.getAttribute("data-page");
      showPage(page);
      if (page === "runs") loadRunRows();
      if (page === "corpus") loadCorpus();
    });
  }
  $("run").addEventListener("change", () => { fillRunFilters(); R.page = 0; loadRunRows(); });
  $("run-filters").addEventListener("submit", (ev) => { ev.preventDefault(); R.page = 0; loadRunRows(); });
  $("rf-reset").addEventListener("click", () => {
    for (const [, id] of RUN_FILTERS) $(id).value = "";
    R.page = 0; loadRunRows();
  });
  $("rp-prev").addEventListener("click", () => { R.page = Math.max(0, R.page - 1); loadRunRows(); });
  $("rp-next").addEventListener("click", () => { R.page += 1; loadRunRows(); });
  for (const th of $("run-rows").querySelectorAll("th[data-sort]")) {
    th.addEventListener("click", () => {
      const key = th.getAttribute("data-sort");
      if (R.sort === key) R.desc = !R.desc; else { R.sort = key; R.desc = key !== "row" && !key.endsWith("label"); }
      R.page = 0; loadRunRows();
    });
  }
  $("corpus-go").addEventListener("click", () => loadCorpus());
  $("corpus-outcome").addEventListener("change", () => loadCorpus());
}

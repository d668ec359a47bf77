// wordlight app page, part 2: API calls, jobs, parameter forms, rows, share URL, start-up.
// views.js (loaded first) holds the helpers and renderers.
"use strict";

// --- API -----------------------------------------------------------------------------------
async function api(path, body, tries = 5) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch("/api/v1" + path, init);
  if (r.status === 503 && tries > 0) {  // the queue is full: wait as told, then try again
    await sleep(1000 * Number(r.headers.get("Retry-After") || 1));
    return api(path, body, tries - 1);
  }
  let data = null;
  try { data = await r.json(); } catch (e) { data = { detail: r.statusText }; }
  if (!r.ok) throw new Error((data && data.detail) || `HTTP ${r.status}`);
  return data;
}

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }
function setStatus(text) { $("status").textContent = text || ""; }

// --- jobs: progress, cancel, never a timeout --------------------------------------------------
async function runJob(kind, payload) {
  showError(null);
  const start = await api("/jobs", { kind, [kind]: payload });
  S.job = start.id;
  $("job").classList.remove("hidden");
  $("job-progress").value = 0;
  $("job-stage").textContent = "queued";
  try {
    for (;;) {
      const st = await api(`/jobs/${encodeURIComponent(start.id)}`);
      const total = Math.max(st.total, 1);
      $("job-progress").max = total;
      $("job-progress").value = st.done;
      const percent = Math.floor((100 * st.done) / total);
      $("job-stage").textContent = `${st.state} ${percent}% ${st.stage}`;
      if (st.state === "done") return (await api(`/jobs/${encodeURIComponent(start.id)}/result`)).result;
      if (st.state === "failed") throw new Error(st.error || "the job failed");
      if (st.state === "cancelled") { setStatus("cancelled"); return null; }
      await sleep(150);
    }
  } finally {
    S.job = null;
    $("job").classList.add("hidden");
  }
}

async function cancelJob() {
  if (!S.job) return;
  try { await api(`/jobs/${encodeURIComponent(S.job)}/cancel`, {}); setStatus("cancelling…"); }
  catch (e) { showError(e); }
}

// --- parameter forms, built from the registry ----------------------------------------------
function buildForm(box, method, values) {
  clear(box);
  for (const p of method.parameters) {
    const id = `${box.id}-${p.name}`;
    let input;
    const v = values && p.name in values ? values[p.name] : p.default;
    if (p.choices) {
      input = el("select", { id });
      for (const c of p.choices) input.append(el("option", { value: c, text: c, selected: c === String(v) }));
    } else if (p.type === "bool") {
      input = el("input", { id, type: "checkbox", checked: v === true || v === "true" });
    } else {
      const numeric = p.type === "int" || p.type === "float";
      input = el("input", { id, type: numeric ? "number" : "text", value: v === null ? "" : String(v),
                            step: p.type === "float" ? "any" : "1" });
      input.size = 8;
    }
    input.setAttribute("data-param", p.name);
    input.setAttribute("data-default", p.default === null ? "" : String(p.default));
    box.append(el("label", { title: `${p.type}, default ${p.default}` }, p.name, input));
  }
}

function readForm(box) {
  const out = {};
  for (const input of box.querySelectorAll("[data-param]")) {
    const name = input.getAttribute("data-param");
    const value = input.type === "checkbox" ? String(input.checked) : input.value.trim();
    if (value === input.getAttribute("data-default") || value === "") continue;
    out[name] = input.type === "checkbox" ? input.checked : value;
  }
  return out;
}

const methodByName = (name) => S.methods.find((m) => m.name === name);
const layerMethodByName = (name) => S.layerMethods.find((m) => m.name === name);

// --- running --------------------------------------------------------------------------------
function base() {
  return { model: $("model").value, method: $("method").value, text: $("text").value,
           params: readForm($("params")), label_threshold: S.threshold };
}

async function run(view) {
  showView(view);
  showError(null);
  const b = base();
  if (!b.text.trim()) { showError("type a text or pick a data set row first"); return; }
  setStatus("");
  const t0 = performance.now();
  try {
    let result = null;
    if (view === "explain") {
      result = await runJob("explain", { ...b, faithfulness: true });
      if (result) renderExplain(result);
    } else if (view === "compare") {
      const runs = [];
      const models = [b.model, $("compare-model2").value].filter((m, i) => m && (i === 0 || m !== b.model));
      for (const model of models) {
        for (const box of $("compare-methods").querySelectorAll("input:checked")) {
          const method = box.value;
          runs.push({ model, method, params: method === b.method ? b.params : {} });
        }
      }
      if (!runs.length) { showError("tick at least one method to compare"); return; }
      result = await runJob("compare", { text: b.text, runs, label_threshold: b.label_threshold });
      if (result) renderCompare(result);
    } else if (view === "layers") {
      result = await runJob("layers", { model: b.model, method: $("layer-method").value, text: b.text,
                                        params: readForm($("layer-params")), label_threshold: b.label_threshold });
      if (result) renderLayers(result);
    } else if (view === "edit") {
      const after = $("edited").value;
      if (!after.trim()) { showError("write the edited text first"); return; }
      result = await runJob("diff", { model: b.model, method: b.method, before: b.text, after, params: b.params,
                                      label_threshold: b.label_threshold });
      if (result) renderDiff(result);
    }
    if (result) {
      S.result = result; S.kind = view;
      setStatus(`done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      $("dl-json").disabled = false;
      $("dl-html").disabled = view === "layers";
      $("dl-png").disabled = view !== "layers";
      document.body.setAttribute("data-ready", view);
    }
    saveUrl();
  } catch (e) { showError(e); }
}

function showView(view) {
  S.view = view;
  for (const v of ["explain", "compare", "layers", "edit"]) {
    $(`view-${v}`).classList.toggle("hidden", v !== view);
    $(`controls-${v}`).classList.toggle("hidden", v !== view);
    $(`tab-${v}`).classList.toggle("active", v === view);
  }
  if (view === "edit" && !$("edited").value) $("edited").value = $("text").value;
}

// --- data set rows ----------------------------------------------------------------------------
function rowQuery(extra) {
  const q = new URLSearchParams(extra || {});
  const add = (k, id) => { const v = $(id).value.trim(); if (v !== "") q.set(k, v); };
  add("label", "f-label"); add("correct", "f-correct"); add("min_confidence", "f-minconf");
  add("max_confidence", "f-maxconf"); add("min_words", "f-minwords"); add("max_words", "f-maxwords");
  if ($("f-column").value) { q.append("column", $("f-column").value); q.append("value", $("f-value").value.trim()); }
  if (q.has("correct") || q.has("min_confidence") || q.has("max_confidence")) q.set("model", $("model").value);
  return q;
}

function useRow(row, name) {
  $("text").value = row.text;
  $("row-index").value = row.index;
  S.row = { dataset: name, index: row.index };
  $("row-info").textContent = `${name} row ${row.index}: true label ${row.label}`
    + (row.predicted ? `, predicted ${row.predicted} (${fmt(row.confidence)})` : "");
}

async function pickRow(random) {
  showError(null);
  const name = $("dataset").value;
  if (!name) { showError("no data set was declared at start-up (wordlight app --data NAME)"); return; }
  try {
    if (random) {
      const found = await api(`/datasets/${encodeURIComponent(name)}/rows?` +
        rowQuery({ random: "true", seed: String(Math.floor(Math.random() * 2 ** 31)) }));
      if (!found.rows.length) { showError("no row matches these filters"); return; }
      useRow(found.rows[0], name);
    } else {
      const index = Number($("row-index").value);
      useRow(await api(`/datasets/${encodeURIComponent(name)}/rows/${index}`), name);
    }
  } catch (e) { showError(e); }
}

async function listRows() {
  showError(null);
  const name = $("dataset").value;
  if (!name) return;
  try {
    const found = await api(`/datasets/${encodeURIComponent(name)}/rows?` + rowQuery({ limit: "50", model: $("model").value }));
    const table = $("rows-table"); table.classList.remove("hidden");
    const body = clear(table.querySelector("tbody"));
    for (const row of found.rows) {
      const tr = el("tr", { title: "use this row" }, el("td", { class: "num", text: row.index }), el("td", { text: row.label }),
        el("td", { text: row.predicted || "" }), el("td", { class: "num", text: fmt(row.confidence, 2) }),
        el("td", { text: row.text.length > 120 ? row.text.slice(0, 120) + "…" : row.text }));
      tr.addEventListener("click", () => useRow(row, name));
      body.append(tr);
    }
    $("row-info").textContent = `${found.total} matching rows`;
  } catch (e) { showError(e); }
}

async function fillLabels() {
  const sel = clear($("f-label"));
  sel.append(el("option", { value: "", text: "any" }));
  const info = S.datasets.find((d) => d.name === $("dataset").value);
  if (info) for (const l of info.labels) sel.append(el("option", { value: l, text: l }));
  const cols = clear($("f-column"));
  cols.append(el("option", { value: "", text: "any" }));
  const columns = (info && info.columns) || [];
  for (const c of columns) cols.append(el("option", { value: c.name, text: c.name }));
  $("f-column-box").classList.toggle("hidden", !columns.length);
  fillValues();
}

function fillValues() {  // the listed values of the chosen extra column, offered as suggestions
  const info = S.datasets.find((d) => d.name === $("dataset").value);
  const column = ((info && info.columns) || []).find((c) => c.name === $("f-column").value);
  const list = clear($("f-values"));
  for (const v of (column && column.values) || []) list.append(el("option", { value: String(v) }));
  $("f-value").value = "";
}

// --- share and download ---------------------------------------------------------------------
function saveUrl() {
  const q = new URLSearchParams();
  q.set("view", S.view); q.set("model", $("model").value); q.set("method", $("method").value);
  for (const [k, v] of Object.entries(readForm($("params")))) q.set(`p.${k}`, String(v));
  if (S.row && $("text").value === S.row.text) { q.set("dataset", S.row.dataset); q.set("row", String(S.row.index)); }
  else q.set("text", $("text").value);
  if (S.view === "layers") {
    q.set("lmethod", $("layer-method").value);
    for (const [k, v] of Object.entries(readForm($("layer-params")))) q.set(`lp.${k}`, String(v));
  }
  if (S.view === "edit") q.set("edited", $("edited").value);
  if (S.view === "compare") {
    q.set("cm", [...$("compare-methods").querySelectorAll("input:checked")].map((b) => b.value).join(","));
    if ($("compare-model2").value) q.set("model2", $("compare-model2").value);
  }
  if (level() !== "word") q.set("level", level());
  if (S.threshold !== 0.5) q.set("threshold", String(S.threshold));
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

async function restoreUrl() {
  const q = new URLSearchParams(location.search);
  if (!q.toString()) return;
  const setSel = (id, v) => { if (v && [...$(id).options].some((o) => o.value === v)) $(id).value = v; };
  setSel("model", q.get("model"));
  setSel("method", q.get("method"));
  setSel("level", q.get("level"));
  const params = {}, lparams = {};
  for (const [k, v] of q) { if (k.startsWith("p.")) params[k.slice(2)] = v; if (k.startsWith("lp.")) lparams[k.slice(3)] = v; }
  const m = methodByName($("method").value);
  if (m) buildForm($("params"), m, params);
  setSel("layer-method", q.get("lmethod"));
  const lm = layerMethodByName($("layer-method").value);
  if (lm) buildForm($("layer-params"), lm, lparams);
  if (q.get("cm")) {
    const wanted = q.get("cm").split(",");
    for (const b of $("compare-methods").querySelectorAll("input")) b.checked = wanted.includes(b.value);
  }
  setSel("compare-model2", q.get("model2"));
  if (q.get("dataset") && q.get("row") !== null) {
    setSel("dataset", q.get("dataset"));
    $("data-panel").open = true;
    const row = await api(`/datasets/${encodeURIComponent(q.get("dataset"))}/rows/${Number(q.get("row"))}`);
    useRow(row, q.get("dataset")); S.row.text = row.text;
  } else if (q.get("text") !== null) {
    $("text").value = q.get("text");
  }
  if (q.get("edited") !== null) $("edited").value = q.get("edited");
  const t = Number(q.get("threshold"));
  if (q.get("threshold") !== null && t >= 0 && t <= 1) S.threshold = t;
  const view = ["explain", "compare", "layers", "edit"].includes(q.get("view")) ? q.get("view") : "explain";
  showView(view);
  if ($("text").value.trim()) await run(view);
}

function download(name, blob) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function resultExplanations() {
  const r = S.result;
  if (!r) return [];
  if (S.kind === "explain") return [r.explanation];
  if (S.kind === "compare") return r.results.map((x) => x.explanation);
  if (S.kind === "edit") return [r.before.explanation, r.after.explanation];
  if (S.kind === "layers") return [r.layers];
  return [];
}

async function downloadHtml() {
  try {
    const r = await fetch("/api/v1/render/html", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ explanations: resultExplanations(), level: level() }) });
    if (!r.ok) throw new Error((await r.json()).detail);
    download("wordlight.html", await r.blob());
  } catch (e) { showError(e); }
}

// --- start ----------------------------------------------------------------------------------
async function init() {
  try {
    const [health, models, methods, datasets] = await Promise.all([
      api("/health"), api("/models"), api("/methods"), api("/datasets")]);
    $("health").textContent = `wordlight ${health.version}`;
    S.models = models.map((m) => m.name);
    for (const m of S.models) {
      $("model").append(el("option", { value: m, text: m }));
      $("compare-model2").append(el("option", { value: m, text: m }));
    }
    S.methods = methods.filter((m) => !m.layers);
    S.layerMethods = methods.filter((m) => m.layers);
    for (const m of S.methods) {
      $("method").append(el("option", { value: m.name, text: m.name, selected: m.name === "integrated_gradients" }));
      $("compare-methods").append(el("label", {}, el("input", { type: "checkbox", value: m.name,
        checked: DEFAULT_COMPARE.includes(m.name) }), m.name));
    }
    for (const m of S.layerMethods) $("layer-method").append(el("option", { value: m.name, text: m.name }));
    S.datasets = datasets;
    for (const d of datasets) $("dataset").append(el("option", { value: d.name, text: `${d.name} (${d.rows} rows)` }));
    if (!datasets.length) $("data-panel").classList.add("hidden");
    fillLabels();
    onMethod();
    buildForm($("layer-params"), layerMethodByName($("layer-method").value), {});
    if (!(await initRuns())) await restoreUrl();  // runs.js: the Runs view
  } catch (e) { showError(e); }
  document.body.setAttribute("data-loaded", "1");
}

function onMethod() {
  const m = methodByName($("method").value);
  if (!m) return;
  $("method-summary").textContent = m.summary;
  buildForm($("params"), m, {});
}

document.addEventListener("DOMContentLoaded", () => {
  $("method").addEventListener("change", onMethod);
  $("layer-method").addEventListener("change", () => buildForm($("layer-params"), layerMethodByName($("layer-method").value), {}));
  $("dataset").addEventListener("change", fillLabels);
  $("f-column").addEventListener("change", fillValues);
  for (const v of ["explain", "compare", "layers", "edit"]) {
    $(`tab-${v}`).addEventListener("click", () => showView(v));
  }
  $("run-explain").addEventListener("click", () => run("explain"));
  $("run-compare").addEventListener("click", () => run("compare"));
  $("run-layers").addEventListener("click", () => run("layers"));
  $("run-diff").addEventListener("click", () => run("edit"));
  $("job-cancel").addEventListener("click", cancelJob);
  $("pick-row").addEventListener("click", () => pickRow(false));
  $("pick-random").addEventListener("click", () => pickRow(true));
  $("list-rows").addEventListener("click", listRows);
  $("heatmap").addEventListener("mousemove", heatHover);
  $("heatmap").addEventListener("mouseleave", () => $("heat-tip").classList.add("hidden"));
  $("level").addEventListener("change", () => {
    if (S.kind === "explain") renderExplain(S.result);
    if (S.kind === "compare") renderCompare(S.result);
    if (S.kind === "edit") renderDiff(S.result);
  });
  for (const th of $("scores").querySelectorAll("th[data-key]")) {
    th.addEventListener("click", () => {
      const key = th.getAttribute("data-key");
      S.sort = { key, dir: S.sort.key === key ? -S.sort.dir : (key === "score" ? -1 : 1) };
      if (S.kind === "explain") renderTable(S.result.explanation);
    });
  }
  $("share").addEventListener("click", async () => {
    saveUrl();
    try { await navigator.clipboard.writeText(location.href); setStatus("link copied"); }
    catch (e) { setStatus(location.href); }
  });
  $("dl-json").addEventListener("click", () => download("wordlight.json",
    new Blob([JSON.stringify(resultExplanations(), null, 1)], { type: "application/json" })));
  $("dl-html").addEventListener("click", downloadHtml);
  $("dl-png").addEventListener("click", () => $("heatmap").toBlob((b) => download("heatmap.png", b)));
  init();
});

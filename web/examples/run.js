// The example page: loads the bundle named in the query string, runs it on .npy inputs (fetched
// from a folder or chosen as files), shows the outputs and the timings. Tests read `window.report`.
import init, { Session } from "../pkg/onnx2wgsl.js";
import { parseNpy } from "./npy.js";

const query = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const report = (window.report = { state: "loading" });

function finish(state, fields) {
  Object.assign(report, fields, { state });
  document.body.dataset.state = state;
}

async function fetchNpy(url, name) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return parseNpy(await response.arrayBuffer(), name);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** max |got − want| / max |want|, the measure the native parity tests use. */
function relativeError(got, want) {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.data.length; i++) {
    const w = Number(want.data[i]);
    diff = Math.max(diff, Math.abs(Number(got.data[i]) - w));
    scale = Math.max(scale, Math.abs(w));
  }
  return scale === 0 ? diff : diff / scale;
}

async function run(session, inputs) {
  const repeat = Number(query.get("repeat") ?? 1);
  const runMs = [];
  let outputs;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    outputs = await session.run(inputs);
    runMs.push(performance.now() - start);
  }
  const expected = query.get("expected");
  const rows = {};
  const body = $("outputs").querySelector("tbody");
  body.replaceChildren();
  for (const [name, out] of Object.entries(outputs)) {
    const row = { dtype: out.dtype, shape: out.shape, first: Array.from(out.data.slice(0, 6), Number) };
    if (expected) {
      const want = await fetchNpy(new URL(`${name}.npy`, new URL(expected, location.href)), name);
      if (want.shape.join() !== out.shape.join()) {
        throw new Error(`output ${name}: shape [${out.shape}], the reference has [${want.shape}]`);
      }
      row.error = relativeError(out, want);
    }
    rows[name] = row;
    const tr = body.insertRow();
    for (const text of [name, row.dtype, `[${row.shape}]`, row.first.map((v) => +v.toPrecision(5)).join(", "),
      row.error === undefined ? "" : row.error.toExponential(2)]) {
      tr.insertCell().textContent = text;
    }
    tr.cells[3].className = "values";
  }
  $("outputs").hidden = false;
  $("timings").textContent =
    `${repeat} run${repeat > 1 ? "s" : ""}: median ${median(runMs).toFixed(1)} ms` +
    ` (each ${runMs.map((t) => t.toFixed(1)).join(", ")} ms), inputs in and outputs read back`;
  return { runMs, outputs: rows };
}

async function main() {
  const bundle = query.get("bundle");
  if (!bundle) throw new Error("name a bundle: run.html?bundle=URL");
  await init();
  const progress = $("progress");
  const loadStart = performance.now();
  const session = await Session.load(bundle, {
    cache: query.get("cache") !== "0",
    onProgress: (p) => {
      progress.max = p.totalBytes;
      progress.value = p.loadedBytes;
      $("status").textContent = `Loading ${p.file}: ${(p.loadedBytes / 2 ** 20).toFixed(1)} of ` +
        `${(p.totalBytes / 2 ** 20).toFixed(1)} MiB${p.cached ? " (cached)" : ""}`;
      (report.progress ??= []).push(p);
    },
  });
  const loadMs = performance.now() - loadStart;
  progress.max = progress.value = 1;
  const loaded = `Loaded in ${loadMs.toFixed(0)} ms on ${session.adapter || "an unnamed adapter"}.`;
  $("status").textContent = loaded;
  Object.assign(report, { adapter: session.adapter, loadMs, inputs: session.inputs });

  const folder = query.get("inputs");
  if (folder) {
    const inputs = {};
    for (const { name } of session.inputs) {
      inputs[name] = await fetchNpy(new URL(`${name}.npy`, new URL(folder, location.href)), name);
    }
    finish("done", await run(session, inputs));
    return;
  }
  // No folder named: one file picker per input.
  const pickers = $("pickers");
  for (const { name, dtype, shape } of session.inputs) {
    const label = document.createElement("label");
    label.textContent = `${name} (${dtype} [${shape}]) `;
    const file = Object.assign(document.createElement("input"), { type: "file", accept: ".npy", name });
    label.append(file, document.createElement("br"));
    pickers.append(label);
  }
  $("pick").hidden = false;
  finish("loaded", {});
  $("pick").onsubmit = async (event) => {
    event.preventDefault();
    $("error").textContent = "";
    try {
      const inputs = {};
      for (const file of pickers.querySelectorAll("input")) {
        if (!file.files[0]) throw new Error(`choose a file for input ${file.name}`);
        inputs[file.name] = parseNpy(await file.files[0].arrayBuffer(), file.files[0].name);
      }
      finish("done", await run(session, inputs));
    } catch (error) {
      $("error").textContent = String(error.message ?? error);
    }
  };
}

main().catch((error) => {
  $("status").textContent = "Failed.";
  $("error").textContent = String(error.message ?? error);
  finish("error", { error: String(error.message ?? error) });
});

// The Moebius inpainting page: loads the five bundles (progress, cached weights), lets the user
// paint a mask over a picture, and runs the pipeline (the same Rust code as `moebius inpaint`,
// compiled to wasm) on this browser's GPU. `body[data-state]` tells tests where it is.
import init, { Inpainter } from "./pkg/moebius.js";

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const SAMPLES = new URL("../../../fixtures/moebius_pipeline/samples/", import.meta.url);
const MB = 2 ** 20;
let inpainter;
let busy = false;
const undo = [];

const picture = $("picture");
const overlay = $("overlay");
const mask = document.createElement("canvas");
const result = $("result");
const context = (canvas) => canvas.getContext("2d", { willReadFrequently: true });

function setState(state) {
  document.body.dataset.state = state;
}

function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

function status(text, value, max) {
  $("status").textContent = text;
  if (max !== undefined) Object.assign($("progress"), { value, max });
}

function enable() {
  const ready = inpainter && picture.width > 0 && !busy;
  $("run").disabled = !ready;
  for (const id of ["file", "mask-file", "sample-square", "sample-wide", "undo", "clear", "save-mask"]) $(id).disabled = busy;
}

/** The mask drawn over the picture, tinted. */
function redraw() {
  const c = context(overlay);
  c.globalCompositeOperation = "source-over";
  c.clearRect(0, 0, overlay.width, overlay.height);
  c.drawImage(mask, 0, 0);
  c.globalCompositeOperation = "source-in";
  c.fillStyle = "rgba(255, 40, 90, 0.55)";
  c.fillRect(0, 0, overlay.width, overlay.height);
}

async function showPicture(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  for (const canvas of [picture, overlay, mask]) Object.assign(canvas, { width: bitmap.width, height: bitmap.height });
  context(picture).drawImage(bitmap, 0, 0);
  undo.length = 0;
  redraw();
  enable();
}

/** A mask file: painted where (R + G + B)/3 · A/255 ≥ 128, as the pipeline reads masks. */
async function loadMask(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const scratch = Object.assign(document.createElement("canvas"), { width: mask.width, height: mask.height });
  const c = context(scratch);
  c.imageSmoothingEnabled = false;
  c.drawImage(bitmap, 0, 0, mask.width, mask.height);
  const data = c.getImageData(0, 0, mask.width, mask.height);
  for (let i = 0; i < data.data.length; i += 4) {
    const d = data.data;
    const painted = (d[i] + d[i + 1] + d[i + 2]) * d[i + 3] >= 128 * 3 * 255;
    d.set(painted ? [255, 255, 255, 255] : [0, 0, 0, 0], i);
  }
  undo.push(context(mask).getImageData(0, 0, mask.width, mask.height));
  context(mask).putImageData(data, 0, 0);
  redraw();
}

// Painting: a round brush whose radius is in screen pixels, drawn at the picture's resolution.
let last = null;
function point(event) {
  const box = overlay.getBoundingClientRect();
  const scale = overlay.width / box.width;
  return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale, scale };
}
function stroke(from, to) {
  const c = context(mask);
  c.globalCompositeOperation = $("erase").checked ? "destination-out" : "source-over";
  c.strokeStyle = c.fillStyle = "white";
  c.lineCap = "round";
  c.lineWidth = 2 * Number($("brush").value) * to.scale;
  c.beginPath();
  c.moveTo(from.x, from.y);
  c.lineTo(to.x + 0.01, to.y);
  c.stroke();
  redraw();
}
overlay.addEventListener("pointerdown", (event) => {
  if (busy || !picture.width) return;
  overlay.setPointerCapture(event.pointerId);
  undo.push(context(mask).getImageData(0, 0, mask.width, mask.height));
  if (undo.length > 30) undo.shift();
  last = point(event);
  stroke(last, last);
});
overlay.addEventListener("pointermove", (event) => {
  if (!last) return;
  const next = point(event);
  stroke(last, next);
  last = next;
});
for (const end of ["pointerup", "pointercancel"]) overlay.addEventListener(end, () => (last = null));
$("undo").onclick = () => {
  if (undo.length) context(mask).putImageData(undo.pop(), 0, 0);
  redraw();
};
$("clear").onclick = () => {
  undo.push(context(mask).getImageData(0, 0, mask.width, mask.height));
  context(mask).clearRect(0, 0, mask.width, mask.height);
  redraw();
};
$("save-mask").onclick = () =>
  mask.toBlob((blob) => {
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: "mask.png" });
    link.click();
  });
$("file").onchange = () => $("file").files[0] && showPicture($("file").files[0]);
$("mask-file").onchange = () => $("mask-file").files[0] && loadMask($("mask-file").files[0]);
for (const name of ["square", "wide"]) {
  $(`sample-${name}`).onclick = async () => showPicture(await (await fetch(new URL(`${name}.png`, SAMPLES))).blob());
}

$("run").onclick = async () => {
  busy = true;
  enable();
  setState("running");
  notice("");
  const started = performance.now();
  try {
    const settings = {
      steps: Number($("steps").value),
      guidance: Number($("guidance").value),
      seed: Number($("seed").value),
      paste: $("paste").checked,
    };
    const image = context(picture).getImageData(0, 0, picture.width, picture.height);
    const painted = context(mask).getImageData(0, 0, mask.width, mask.height);
    const out = await inpainter.inpaint(image, painted, settings, ({ stage, step, steps }) => {
      if (stage === "denoising") status(`Denoising ${step}/${steps}`, step, steps + 2);
      else if (stage === "encoding") status("Encoding", 0, 1);
      else status("Decoding", 1, 1);
    });
    Object.assign(result, { width: out.width, height: out.height });
    context(result).putImageData(new ImageData(out.data, out.width, out.height), 0, 0);
    const total = performance.now() - started;
    const steps = out.report.stepMs;
    const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)];
    status(`Done in ${(total / 1000).toFixed(1)} s`, 1, 1);
    $("timings").textContent =
      `Encoding ${out.report.encodeMs.toFixed(0)} ms · ${steps.length} steps, median ` +
      `${median.toFixed(0)} ms each (${steps.map((t) => t.toFixed(0)).join(", ")}) · decoding ` +
      `${out.report.decodeMs.toFixed(0)} ms · total ${total.toFixed(0)} ms. Per step ` +
      `${out.report.stepUploadBytes} bytes go to the GPU and nothing comes back.`;
    result.toBlob((blob) => Object.assign($("download"), { href: URL.createObjectURL(blob), hidden: false }));
    window.report = { ...out.report, totalMs: total };
    setState("done");
  } catch (error) {
    notice(String(error.message ?? error));
    status("Failed", 0, 1);
    setState("error");
  } finally {
    busy = false;
    enable();
  }
};

async function main() {
  setState("loading");
  enable();
  await init();
  const models = query.get("models") ?? "models/";
  inpainter = await Inpainter.load(models, {
    onProgress: ({ model, loadedBytes, totalBytes, modelLoadedBytes, modelTotalBytes, cached }) =>
      status(
        `Downloading ${model}: ${(modelLoadedBytes / MB).toFixed(1)} of ${(modelTotalBytes / MB).toFixed(1)} MB` +
          (cached ? " (cached)" : "") + ` · ${(loadedBytes / MB).toFixed(1)} of ${(totalBytes / MB).toFixed(1)} MB in all`,
        loadedBytes,
        totalBytes,
      ),
  });
  status(`Ready: pictures are fitted into ${inpainter.width}×${inpainter.height}` +
    (inpainter.adapter ? ` on ${inpainter.adapter}` : ""), 1, 1);
  setState("ready");
  enable();
}

main().catch((error) => {
  notice(`The models cannot run here: ${error.message ?? error}`);
  status("Not loaded", 0, 1);
  setState("error");
});

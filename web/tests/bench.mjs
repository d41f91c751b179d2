// Side by side in one headless Chromium (WebGPU on SwiftShader): the tiny Moebius graphs through
// this package and through onnxruntime-web's WebGPU execution provider (what the browser port of
// Moebius used). Each run feeds the inputs and reads the outputs back; medians of RUNS runs after
// one warm-up run, the two engines taking turns. Run by scripts/bench-web.sh.
import { build } from "./bundles.mjs";
import { launch } from "./chromium.mjs";
import { serve } from "./server.mjs";
import { ROOT } from "./bundles.mjs";

const RUNS = Number(process.env.RUNS ?? 10);
const GRAPHS = ["fixtures/moebius_tiny/unet", "fixtures/moebius_tiny/vae_encoder", "fixtures/moebius_tiny/vae_decoder"];

/** Runs in the page: times both engines on one graph and measures each one's error. */
async function measure([fixture, bundle, runs]) {
  const { parseNpy } = await import("/web/examples/npy.js");
  const ort = await import("/web/node_modules/onnxruntime-web/dist/ort.webgpu.min.mjs");
  ort.env.wasm.wasmPaths = "/web/node_modules/onnxruntime-web/dist/";
  ort.env.wasm.numThreads = 1;
  const npy = async (url) => parseNpy(await (await fetch(url)).arrayBuffer(), url);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const error = (got, want) => {
    let diff = 0, scale = 0;
    for (let i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    return diff / scale;
  };
  // The two engines take turns, so that load from elsewhere on the machine falls on both alike.
  const race = async (a, b) => {
    await a();
    await b();
    const times = [[], []];
    for (let i = 0; i < runs; i++) {
      for (const [k, run] of [a, b].entries()) {
        const start = performance.now();
        await run();
        times[k].push(performance.now() - start);
      }
    }
    return times.map(median);
  };

  const ours = await onnx2wgsl.Session.load(`/${bundle}`, { cache: false });
  const inputs = {};
  for (const { name } of ours.inputs) inputs[name] = await npy(`/${fixture}/inputs/${name}.npy`);
  const [output] = ours.outputs;
  const want = (await npy(`/${fixture}/outputs/${output.name}.npy`)).data;

  const peer = await ort.InferenceSession.create(`/${fixture}/model.onnx`, { executionProviders: ["webgpu"] });
  const types = { f32: "float32", i32: "int32", i64: "int64", bool: "bool" };
  const feeds = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor(types[t.dtype], t.data, t.shape);

  const oursOut = (await ours.run(inputs))[output.name].data;
  const peerOut = (await peer.run(feeds))[output.name].data;
  const [oursMs, peerMs] = await race(() => ours.run(inputs), () => peer.run(feeds));
  return { ours: oursMs, peer: peerMs, oursError: error(oursOut, want), peerError: error(peerOut, want) };
}

/** Runs in the page: the tiny inpainting pipeline on a sample, its time per step. */
async function pipeline([models, steps]) {
  const { default: init, Inpainter } = await import("/apps/moebius/web/pkg/moebius.js");
  await init();
  const inpainter = await Inpainter.load(models, { cache: false });
  const pixels = async (url) => {
    const bitmap = await createImageBitmap(await (await fetch(url)).blob(), { colorSpaceConversion: "none" });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  };
  const samples = "/fixtures/moebius_pipeline/samples/";
  const picture = await pixels(`${samples}wide.png`);
  const mask = await pixels(`${samples}wide_mask.png`);
  const start = performance.now();
  const out = await inpainter.inpaint(picture, mask, { steps }, null);
  const stepMs = [...out.report.stepMs].sort((a, b) => a - b);
  return { totalMs: performance.now() - start, stepMs: stepMs[Math.floor(stepMs.length / 2)], steps: stepMs.length };
}

const server = await serve(ROOT);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}web/tests/harness.html`);
  await page.waitForSelector("body[data-state]", { state: "attached" });
  const rows = [];
  for (const fixture of GRAPHS) {
    const bundle = await build(fixture, `bench-${fixture.split("/").pop()}`);
    const r = await page.evaluate(measure, [fixture, bundle, RUNS]);
    rows.push([fixture.split("/").pop(), r]);
    console.error(`${fixture}: done`);
  }
  const adapter = await page.evaluate(async () => {
    const info = (await navigator.gpu.requestAdapter())?.info;
    return info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : "unknown";
  });
  const agent = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0]);
  console.log(`Headless ${agent}, WebGPU adapter: ${adapter}`);
  console.log(`median of ${RUNS} runs (inputs in, outputs read back); error = max |Δ| / max |ref| vs onnxruntime CPU\n`);
  console.log("| graph | onnx2wgsl | onnxruntime-web (WebGPU EP) | ratio | error onnx2wgsl | error onnxruntime-web |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [name, r] of rows) {
    console.log(`| ${name} | ${r.ours.toFixed(1)} ms | ${r.peer.toFixed(1)} ms | ${(r.peer / r.ours).toFixed(2)}× | ${r.oursError.toExponential(1)} | ${r.peerError.toExponential(1)} |`);
  }
  if (process.env.MODELS) {
    const p = await page.evaluate(pipeline, [`/${process.env.MODELS}/`, 6]);
    const unet = rows.find(([name]) => name === "unet")[1].ours;
    console.log(`\ntiny inpainting pipeline (moebius page code, ${p.steps} steps): median ${p.stepMs.toFixed(1)} ms per step, ` +
      `the UNet alone ${unet.toFixed(1)} ms (with its inputs in and output read back); whole inpaint ${p.totalMs.toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}

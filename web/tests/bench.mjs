// Side by side in one headless Chromium (WebGPU on SwiftShader): the tiny Moebius graphs through
// this package and through onnxruntime-web's WebGPU execution provider (what the browser port of
// Moebius used). Each run feeds the inputs and reads the outputs back; medians of RUNS runs after
// one warm-up run. Run by scripts/bench-web.sh.
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
  const time = async (run) => {
    await run();
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    return median(times);
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
  return {
    ours: await time(() => ours.run(inputs)),
    peer: await time(() => peer.run(feeds)),
    oursError: error(oursOut, want),
    peerError: error(peerOut, want),
  };
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
} finally {
  await browser.close();
  await server.close();
}

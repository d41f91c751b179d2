// The browser package in a real browser: Debian's headless Chromium on its software WebGPU adapter
// (SwiftShader), the package served by a local static server. Run by scripts/test-web.sh.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build, fixtures, flipByte, ROOT, tampered } from "./bundles.mjs";
import { launch, report } from "./chromium.mjs";
import { serve } from "./server.mjs";

/** max |Δ| / max |ref| allowed for float32 outputs, as natively; other outputs must match exactly. */
const TOLERANCE = 1e-4;

let server;
const runPage = (bundle, fixture, extra = "") =>
  `${server.url}web/examples/run.html?bundle=/${bundle}` +
  (fixture ? `&inputs=/${fixture}/inputs/&expected=/${fixture}/outputs/` : "") + extra;

before(async () => {
  server = await serve(ROOT);
});
after(async () => {
  await server?.close();
});

describe("parity with onnxruntime", async () => {
  const all = await fixtures();
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  for (const fixture of all) {
    it(fixture, async () => {
      const bundle = await build(fixture);
      const result = await report(browser, runPage(bundle, fixture, "&cache=0"));
      assert.equal(result.state, "done", result.error);
      for (const [name, output] of Object.entries(result.outputs)) {
        const limit = output.dtype === "f32" ? TOLERANCE : 0;
        console.log(`${fixture}/${name}: max |Δ| / max |ref| = ${output.error.toExponential(2)}`);
        assert.ok(output.error <= limit, `${fixture}/${name}: error ${output.error} exceeds ${limit}`);
      }
    });
  }
});

describe("weight cache", () => {
  it("a second load, and a rebuilt bundle with the same weights, fetch no weight bytes", async () => {
    const fixture = "fixtures/moebius_tiny/vae_encoder";
    const bundle = await build(fixture, "cache-first");
    const plan = JSON.parse(await readFile(join(ROOT, bundle, "plan.json"), "utf8"));
    const total = plan.shards.reduce((n, s) => n + s.size, 0);
    const weights = (b) => new RegExp(`^/${b}weights-`);
    const browser = await launch();
    try {
      const first = await report(browser, runPage(bundle, fixture));
      assert.equal(first.state, "done", first.error);
      assert.equal(server.bytesSent(weights(bundle)), total);
      assert.ok(first.progress.every((p) => !p.cached));
      assert.equal(first.progress.at(-1).loadedBytes, total);

      const second = await report(browser, runPage(bundle, fixture));
      assert.equal(second.state, "done", second.error);
      assert.equal(server.bytesSent(weights(bundle)), total, "the second load fetched weights");
      assert.ok(second.progress.every((p) => p.cached));

      const rebuilt = await build(fixture, "cache-rebuilt");
      const third = await report(browser, runPage(rebuilt, fixture));
      assert.equal(third.state, "done", third.error);
      assert.equal(server.bytesSent(weights(rebuilt)), 0, "the rebuilt bundle fetched weights");
      console.log(`weights: ${total} bytes fetched once, 0 on the second load and for the rebuilt bundle`);

      const page = await browser.newPage();
      await page.goto(`${server.url}web/tests/harness.html`);
      await page.waitForSelector("body[data-state]", { state: "attached" });
      assert.equal(await page.evaluate(() => onnx2wgsl.clearCache()), true);
      await page.close();
      const fourth = await report(browser, runPage(bundle, fixture));
      assert.equal(fourth.state, "done", fourth.error);
      assert.equal(server.bytesSent(weights(bundle)), 2 * total, "clearCache kept the weights");
    } finally {
      await browser.close();
    }
  });
});

describe("errors", () => {
  let browser;
  let page;
  let tiny;
  before(async () => {
    browser = await launch();
    page = await browser.newPage();
    await page.goto(`${server.url}web/tests/harness.html`);
    await page.waitForSelector("body[data-state]", { state: "attached" });
    tiny = await build("fixtures/tiny_cnn");
  });
  after(async () => {
    await browser?.close();
  });

  /** The message `Session.load(bundle)` fails with, then `run(inputs)` where inputs are given. */
  const failure = (bundle, inputs) =>
    page.evaluate(
      async ([bundle, inputs]) => {
        try {
          const session = await onnx2wgsl.Session.load(`/${bundle}`, { cache: false });
          if (inputs) await session.run(eval(`(${inputs})`));
          return "no error";
        } catch (error) {
          return error.message;
        }
      },
      [bundle, inputs],
    );

  it("a browser without WebGPU", async () => {
    const plain = await launch({ webgpu: false });
    try {
      const page = await plain.newPage();
      await page.goto(`${server.url}web/tests/harness.html`);
      await page.waitForSelector("body[data-state]", { state: "attached" });
      const message = await page.evaluate(() =>
        onnx2wgsl.Session.load("/out/web-tests/fixtures-tiny_cnn/").then(() => "no error", (e) => e.message),
      );
      assert.match(message, /WebGPU/);
      console.log(`no WebGPU: ${message}`);
    } finally {
      await plain.close();
    }
  });

  it("a browser whose navigator has no gpu", async () => {
    const bare = await browser.newPage();
    // As in browsers without WebGPU at all: the getter is not there.
    await bare.addInitScript(() => delete Navigator.prototype.gpu);
    await bare.goto(`${server.url}web/tests/harness.html`);
    await bare.waitForSelector("body[data-state]", { state: "attached" });
    const message = await bare.evaluate(() =>
      onnx2wgsl.Session.load("/out/web-tests/fixtures-tiny_cnn/").then(() => "no error", (e) => e.message),
    );
    await bare.close();
    assert.match(message, /this browser does not offer WebGPU \(navigator\.gpu is missing\)/);
  });

  it("a failed fetch names the URL and status", async () => {
    assert.match(await failure("out/web-tests/missing/"), /could not fetch http:\/\/\S+\/out\/web-tests\/missing\/plan\.json: HTTP 404/);
  });

  it("a tampered shard names the file", async () => {
    const bundle = await tampered(tiny, "tampered-shard", (dir) => flipByte(join(dir, "weights-000.bin")));
    assert.match(await failure(bundle), /`weights-000\.bin` is corrupt: sha256/);
  });

  it("a tampered shader names the file", async () => {
    const bundle = await tampered(tiny, "tampered-shader", async (dir) => {
      const shader = (await readdir(dir)).find((f) => f.endsWith(".wgsl"));
      await flipByte(join(dir, shader));
    });
    assert.match(await failure(bundle), /`[a-z_0-9-]+\.wgsl` is corrupt: sha256/);
  });

  it("a plan needing a limit the adapter lacks names it", async () => {
    const bundle = await tampered(tiny, "needs-limit", async (dir) => {
      const plan = JSON.parse(await readFile(join(dir, "plan.json"), "utf8"));
      plan.limits.max_compute_invocations_per_workgroup = 1 << 20;
      await writeFile(join(dir, "plan.json"), JSON.stringify(plan));
    });
    assert.match(await failure(bundle), /max_compute_invocations_per_workgroup: the plan needs 1048576, the device offers \d+/);
  });

  it("a plan needing a feature the adapter lacks names it", async () => {
    // SwiftShader offers no shader-f16.
    const bundle = await tampered(tiny, "needs-feature", async (dir) => {
      const plan = JSON.parse(await readFile(join(dir, "plan.json"), "utf8"));
      plan.features = ["shader-f16"];
      await writeFile(join(dir, "plan.json"), JSON.stringify(plan));
    });
    assert.match(await failure(bundle), /the device lacks feature `shader-f16`/);
  });

  const x = (data, shape = "[1, 3, 16, 16]") => `{ x: { data: ${data}, shape: ${shape} } }`;
  const inputCases = [
    ["an unknown input", `{ ...${x("new Float32Array(768)")}, z: { data: new Float32Array(1), shape: [1] } }`, /`z` is not an input of this plan/],
    ["a missing input", "{}", /input `x` is missing/],
    ["a wrong dtype", x("new Int32Array(768)"), /input `x`: dtype f32 needs Float32Array data, got Int32Array/],
    ["a wrong shape", x("new Float32Array(768)", "[1, 3, 16, 15]"), /input `x`: shape \[1, 3, 16, 15\], the plan expects \[1, 3, 16, 16\]/],
    ["too few values", x("new Float32Array(10)"), /input `x`: 10 values for a shape of 768 elements/],
    ["a shape that is not an array", x("new Float32Array(768)", "'1x3x16x16'"), /input `x`: shape must be an array of sizes, got string/],
  ];
  for (const [what, inputs, expected] of inputCases) {
    it(`${what} is named`, async () => {
      assert.match(await failure(tiny, inputs), expected);
    });
  }

  it("int64 inputs: BigInt64Array range-checked, Int32Array accepted", async () => {
    const bundle = await build("fixtures/int_input");
    const run = (idx) => page.evaluate(
      async ([bundle, idx]) => {
        const session = await onnx2wgsl.Session.load(`/${bundle}`, { cache: false });
        const x = { data: new Float32Array(6).fill(1), shape: [2, 3] };
        try {
          const out = await session.run({ x, idx: { data: eval(idx), shape: [2, 3] } });
          return Array.from(out.j.data, String).join(" ");
        } catch (error) {
          return error.message;
        }
      },
      [bundle, idx],
    );
    const big = await run("new BigInt64Array([1n, -2n, 3n, 4n, 5n, 6n])");
    assert.equal(await run("new Int32Array([1, -2, 3, 4, 5, 6])"), big);
    assert.match(await run("new BigInt64Array([1n, 2n, 3n, 4n, 5n, 2n ** 40n])"), /input `idx`: int64 value 1099511627776 does not fit the device's int32/);
  });
});

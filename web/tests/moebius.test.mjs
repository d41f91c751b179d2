// The Moebius inpainting page (apps/moebius/web) in headless Chromium on SwiftShader, with the
// tiny graphs (random weights): its result must match the Python reference pipeline
// (fixtures/moebius_pipeline/reference.py) within 2/255 per pixel, for a mask from a file and for
// a mask painted by pointer drags. A screenshot after a run is kept in out/web-tests/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OUT, ROOT } from "./bundles.mjs";
import { launch } from "./chromium.mjs";
import { serve } from "./server.mjs";

const TOLERANCE = 2;
/** Fewer steps than the default keep the test short on a software GPU; the code path is the same. */
const STEPS = 6;
const MODELS = "out/web-tests/moebius-models";
const bin = (name) => process.env[name.toUpperCase()] ?? join(ROOT, "target/debug", name);

/** The reference pipeline's image for `picture` and `mask`, as RGB bytes. */
async function reference(picture, mask, paste) {
  const models = await mkdtemp(join(tmpdir(), "moebius-models-"));
  await symlink(join(ROOT, "fixtures/moebius_tiny/unet"), join(models, "unet"));
  await symlink(join(ROOT, "fixtures/moebius_pipeline/tiny/vae_encoder"), join(models, "vae_encoder"));
  await symlink(join(ROOT, "fixtures/moebius_pipeline/tiny/vae_decoder"), join(models, "vae_decoder"));
  const out = join(models, "out.png");
  const args = ["--models", models, "--image", picture, "--mask", mask, "-o", out, "--steps", String(STEPS)];
  execFileSync("python3", [join(ROOT, "fixtures/moebius_pipeline/reference.py"), ...args, ...(paste ? [] : ["--no-paste"])]);
  return readPng(out);
}

/** RGB bytes of a PNG file, through Pillow (a dependency of the reference already). */
function readPng(file) {
  const script = "import sys, json; from PIL import Image; im = Image.open(sys.argv[1]).convert('RGB'); " +
    "print(json.dumps([im.width, im.height, list(im.tobytes())]))";
  const [width, height, rgb] = JSON.parse(execFileSync("python3", ["-c", script, file], { maxBuffer: 1 << 28 }));
  return { width, height, rgb };
}

let server;
let browser;
before(async () => {
  const dir = join(ROOT, MODELS);
  execFileSync(bin("onnx2wgsl"), ["build", join(ROOT, "fixtures/moebius_tiny/unet/model.onnx"), "-o", join(dir, "unet"), "--dim", "B=2"]);
  for (const vae of ["vae_encoder", "vae_decoder"]) {
    execFileSync(bin("onnx2wgsl"), ["build", join(ROOT, `fixtures/moebius_pipeline/tiny/${vae}/model.onnx`), "-o", join(dir, vae), "--dim", "B=1"]);
  }
  execFileSync(bin("moebius"), ["graphs", "--models", dir]);
  server = await serve(ROOT);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(context = browser) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(`${server.url}apps/moebius/web/?models=/${MODELS}/`);
  await page.waitForSelector("body[data-state=ready], body[data-state=error]", { state: "attached", timeout: 300_000 });
  return page;
}

async function run(page, { paste = true } = {}) {
  await page.fill("#steps", String(STEPS));
  if (!paste) await page.uncheck("#paste");
  await page.click("#run");
  await page.waitForSelector("body[data-state=done], body[data-state=error]", { state: "attached", timeout: 300_000 });
  const notice = await page.textContent("#notice");
  assert.equal(await page.evaluate(() => document.body.dataset.state), "done", notice);
  const { width, height, data } = await page.evaluate(() => {
    const c = document.getElementById("result");
    return { width: c.width, height: c.height, data: Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data) };
  });
  const rgb = data.filter((_, i) => i % 4 !== 3);
  return { width, height, rgb, timings: await page.textContent("#timings") };
}

function compare(name, got, want) {
  assert.deepEqual([got.width, got.height], [want.width, want.height], `${name}: size`);
  let worst = 0;
  for (let i = 0; i < want.rgb.length; i++) worst = Math.max(worst, Math.abs(got.rgb[i] - want.rgb[i]));
  console.log(`${name}: max |Δ| = ${worst}/255 against the reference pipeline; ${got.timings}`);
  assert.ok(worst <= TOLERANCE, `${name}: ${worst}/255 exceeds ${TOLERANCE}/255`);
}

describe("moebius page", () => {
  it("a square picture with a mask file, paste-back off, matches the reference", async () => {
    const page = await openPage();
    await page.click("#sample-square");
    await page.waitForFunction(() => document.getElementById("picture").width > 0);
    const mask = join(ROOT, "fixtures/moebius_pipeline/samples/square_mask.png");
    await page.setInputFiles("#mask-file", mask);
    await page.waitForTimeout(200);
    const got = await run(page, { paste: false });
    compare("square, mask file", got, await reference(join(ROOT, "fixtures/moebius_pipeline/samples/square.png"), mask, false));
    await page.close();
  });

  it("a wide picture with a painted mask (drags, an erase, an undo) matches the reference", async () => {
    const page = await openPage();
    await page.click("#sample-wide");
    await page.waitForFunction(() => document.getElementById("picture").width > 0);
    const box = await page.locator("#overlay").boundingBox();
    const drag = async (points) => {
      await page.mouse.move(box.x + points[0][0] * box.width, box.y + points[0][1] * box.height);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
      await page.mouse.up();
    };
    await page.fill("#brush", "30");
    await drag([[0.2, 0.3], [0.5, 0.45], [0.7, 0.4]]);
    await drag([[0.8, 0.8], [0.85, 0.7]]);
    await page.click("#undo"); // drops the second stroke
    await drag([[0.3, 0.75], [0.45, 0.8]]);
    await page.check("#erase");
    await page.fill("#brush", "10");
    await drag([[0.45, 0.4], [0.5, 0.5]]);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save-mask")]);
    const mask = join(OUT, "moebius-painted-mask.png");
    await download.saveAs(mask);
    const got = await run(page);
    await page.screenshot({ path: join(OUT, "moebius-page.png") });
    compare("wide, painted mask", got, await reference(join(ROOT, "fixtures/moebius_pipeline/samples/wide.png"), mask, true));
    await page.close();
  });

  it("without WebGPU the page says so plainly", async () => {
    const plain = await launch({ webgpu: false });
    try {
      const page = await openPage(plain);
      const notice = await page.textContent("#notice");
      assert.match(notice, /The models cannot run here: .*WebGPU/);
      console.log(`no WebGPU: ${notice}`);
    } finally {
      await plain.close();
    }
  });
});

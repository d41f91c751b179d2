// Debian's Chromium, headless, with WebGPU on its software adapter (SwiftShader). The flags that
// keep it quiet on a closed network are those of ../shared/ENVIRONMENT.md.
import { chromium } from "playwright-core";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";

const QUIET = [
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser context with its own fresh profile; `webgpu: false` leaves WebGPU off. */
export async function launch({ webgpu = true } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "onnx2wgsl-chromium-"));
  const args = [...QUIET, ...(webgpu ? ["--enable-unsafe-webgpu"] : [])];
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return chromium.launchPersistentContext(profile, { executablePath: EXECUTABLE, headless: true, args });
}

/** Opens `url`, waits until the page sets `body[data-state]`, and returns its `window.report`. */
export async function report(context, url, timeout = 300_000) {
  const page = await context.newPage();
  const messages = [];
  page.on("console", (m) => messages.push(m.text()));
  page.on("pageerror", (e) => messages.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForSelector("body[data-state]", { state: "attached", timeout });
    return await page.evaluate(() => window.report);
  } catch (error) {
    throw new Error(`${url}: ${error.message}\nconsole:\n${messages.join("\n")}`);
  } finally {
    await page.close();
  }
}

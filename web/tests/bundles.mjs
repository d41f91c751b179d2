// The bundles the browser tests load: every fixture with onnxruntime references, built by the
// compiler into out/web-tests/, and tampered copies for the error tests.
import { execFileSync } from "node:child_process";
import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const OUT = join(ROOT, "out/web-tests");
const COMPILER = process.env.ONNX2WGSL ?? join(ROOT, "target/debug/onnx2wgsl");

/** Fixture folders (relative to the root) that hold a model with inputs and outputs. */
export async function fixtures() {
  const found = [];
  const visit = async (dir) => {
    if (existsSync(join(ROOT, dir, "model.onnx")) && existsSync(join(ROOT, dir, "outputs"))) {
      found.push(dir);
      return;
    }
    for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) await visit(join(dir, entry.name));
    }
  };
  await visit("fixtures");
  return found.sort();
}

/** Builds `fixture` into out/web-tests/<name>/ and returns the bundle's path from the root. */
export async function build(fixture, name = fixture.replaceAll("/", "-")) {
  const args = ["build", join(ROOT, fixture, "model.onnx"), "-o", join(OUT, name)];
  const dims = join(ROOT, fixture, "dims.txt");
  if (existsSync(dims)) {
    for (const dim of (await readFile(dims, "utf8")).split(/\s+/).filter(Boolean)) args.push("--dim", dim);
  }
  execFileSync(COMPILER, args, { stdio: ["ignore", "ignore", "inherit"] });
  return `out/web-tests/${name}/`;
}

/** A copy of `bundle` named `name`, with `change(folder)` applied to its files. */
export async function tampered(bundle, name, change) {
  const folder = join(OUT, name);
  await rm(folder, { recursive: true, force: true });
  await cp(join(ROOT, bundle), folder, { recursive: true });
  await change(folder);
  return `out/web-tests/${name}/`;
}

/** Flips the first byte of `file`. */
export async function flipByte(file) {
  const bytes = await readFile(file);
  bytes[0] ^= 0xff;
  await writeFile(file, bytes);
}

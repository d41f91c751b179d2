// A static file server over one folder, counting the bytes it sends per path: the tests use the
// count to prove that a second load fetches no weight bytes.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".wgsl": "text/plain",
  ".css": "text/css",
  ".png": "image/png",
  ".jpg": "image/jpeg",
};

export async function serve(root, port = 0) {
  const sent = new Map();
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    // A folder is served by its index.html, as static servers do.
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root + sep))) {
      response.writeHead(403).end();
      return;
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    if (!info.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": info.size,
      "cache-control": "no-store",
    });
    const stream = createReadStream(file);
    stream.on("data", (chunk) => sent.set(path, (sent.get(path) ?? 0) + chunk.length));
    stream.pipe(response);
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    /** Bytes sent so far for paths matching `pattern`. */
    bytesSent: (pattern) => [...sent].filter(([p]) => pattern.test(p)).reduce((n, [, b]) => n + b, 0),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// `node web/tests/server.mjs [folder] [port]` serves a folder until stopped.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? ".";
  const served = await serve(normalize(join(process.cwd(), root)), Number(process.argv[3] ?? 8000));
  console.log(`serving ${root} at ${served.url}`);
}

// A small static file server for the end-to-end tests (node:http only, no dependencies).
//
// It serves the built site (a Trunk `dist` folder) under a path prefix, as GitHub Pages
// serves a project site (`https://user.github.io/<repo>/`), so the tests prove that the
// site works from a sub-path. Everything else on the server is a 404, apart from a few
// test-only routes under `/__test__/`:
//
//   /__test__/status/<code>        answers with that HTTP status and a short text body
//   /__test__/cors/<corpus path>   a file of the shared corpus, with `Access-Control-Allow-Origin: *`
//   /__test__/nocors/<corpus path> the same file without any CORS header
//
// The `cors`/`nocors` routes are meant to be fetched from a page of *another* origin (a second
// server on another port), to check loading a trace by URL across origins.
//
// Every request is recorded in `server.requests` ({ method, url }), so a test can assert that
// the page asked only for URLs below the prefix.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function mimeType(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Starts the server on 127.0.0.1 with a free port chosen by the OS.
 *
 * @param {object} options
 * @param {string} options.root        folder to serve under `prefix` (the built site)
 * @param {string} [options.prefix]    URL path prefix, with leading and trailing slash
 * @param {string} [options.corpusDir] folder served by the `/__test__/(no)cors/` routes
 * @returns {Promise<{port: number, origin: string, base: string, requests: Array<{method: string, url: string}>, close: () => Promise<void>}>}
 */
export async function startServer({ root, prefix = '/spanorama/', corpusDir } = {}) {
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new Error(`prefix must start and end with "/": ${prefix}`);
  }
  const rootDir = root ? resolve(root) : null;
  const requests = [];

  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        send(res, req, 500, `internal error: ${err.message}\n`);
      } else {
        res.destroy(err);
      }
    });
  });

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, req, 405, 'method not allowed\n');
    }
    const url = new URL(req.url, 'http://127.0.0.1');
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, req, 400, 'bad request\n');
    }

    if (path.startsWith('/__test__/')) {
      return testRoute(req, res, path.slice('/__test__/'.length));
    }
    if (path === prefix.slice(0, -1)) {
      // `/spanorama` -> `/spanorama/`, as GitHub Pages does.
      res.setHeader('Location', prefix + url.search);
      return send(res, req, 301, 'moved\n');
    }
    if (rootDir && path.startsWith(prefix)) {
      let rel = path.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      return serveFile(req, res, rootDir, rel, {});
    }
    return send(res, req, 404, `not found: ${path}\n`);
  }

  async function testRoute(req, res, route) {
    const status = /^status\/(\d{3})$/.exec(route);
    if (status) {
      return send(res, req, Number(status[1]), `test status ${status[1]}\n`);
    }
    const corpus = /^(cors|nocors)\/(.+)$/.exec(route);
    if (corpus && corpusDir) {
      const headers = corpus[1] === 'cors' ? { 'Access-Control-Allow-Origin': '*' } : {};
      return serveFile(req, res, resolve(corpusDir), corpus[2], headers);
    }
    return send(res, req, 404, `no such test route: ${route}\n`);
  }

  async function serveFile(req, res, dir, rel, extraHeaders) {
    const file = resolve(join(dir, rel));
    // Refuse anything that escapes the served folder (`..`, absolute paths).
    if (file !== dir && !file.startsWith(dir + sep)) {
      return send(res, req, 404, 'not found\n');
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      return send(res, req, 404, `not found: ${rel}\n`, extraHeaders);
    }
    if (!info.isFile()) {
      return send(res, req, 404, `not found: ${rel}\n`, extraHeaders);
    }
    res.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Length': info.size,
      'Cache-Control': 'no-store',
      ...extraHeaders,
    });
    if (req.method === 'HEAD') return res.end();
    await new Promise((resolveDone, reject) => {
      const stream = createReadStream(file);
      stream.on('error', reject);
      res.on('close', resolveDone);
      stream.pipe(res);
    });
  }

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    origin,
    base: origin + prefix,
    prefix,
    requests,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections?.();
      }),
  };
}

function send(res, req, status, body, extraHeaders = {}) {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
    ...extraHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

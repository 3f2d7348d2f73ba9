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

// ---------------------------------------------------------------------------------------------
// Fake tracing backends: the query APIs of Jaeger, Tempo and Zipkin, answered from corpus
// files, for the Backend panel's tests. Each records its requests ({ method, url, accept }).
//
//   jaeger: /api/services, /api/services/{s}/operations, /api/traces?service=&operation=&tags=&limit=,
//           /api/traces/{id} (404 with Jaeger's error body when unknown; /api/v3/traces/{id}
//           always 404s), /api/dependencies (jaeger-deps/jaegerui-deps-small.json in {"data"})
//   tempo:  /api/search (the one trace of otlp/observatorium-tempo-batches-response.json),
//           /api/search/tag/service.name/values, /api/traces/{id} (that file; 406 unless the
//           request accepts application/json, as Tempo answers protobuf otherwise)
//   zipkin: /api/v2/services, /api/v2/spans?serviceName=, /api/v2/traces (all traces as an
//           array of arrays), /api/v2/trace/{id}, /api/v2/dependencies (the Jaeger links with
//           `errorCount: 1` on the first)
//
// `cors: false` leaves out `Access-Control-Allow-Origin`, as a backend that refuses pages of
// other origins does.

const JAEGER_FILES = [
  'jaeger/jaegerui-testTraceNormal.json',
  'jaeger/jaegerui-genaiTestTrace.json',
  'jaeger/jaegerui-otlp2jaeger-out.json',
  'jaeger/jaegerui-spanAmongEachOtherGroupedAndSpans.json',
];
const ZIPKIN_FILES = ['zipkin2/lens-yelp.json', 'zipkin2/lens-netflix.json'];
const TEMPO_FILE = 'otlp/observatorium-tempo-batches-response.json';
const DEPS_FILE = 'jaeger-deps/jaegerui-deps-small.json';

const sameId = (a, b) => a.replace(/^0+/, '').toLowerCase() === b.replace(/^0+/, '').toLowerCase();

function jaegerRoutes(read) {
  const traces = JAEGER_FILES.map(read).flatMap((j) => j.data ?? [j]);
  const services = (t) => Object.values(t.processes).map((p) => p.serviceName);
  const ops = (t, s) => t.spans.filter((sp) => t.processes[sp.processID].serviceName === s).map((sp) => sp.operationName);
  const notFound = { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] };
  return (path, q) => {
    if (path === '/api/services') return [200, { data: [...new Set(traces.flatMap(services))].sort(), total: 0 }];
    let m = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
    if (m) {
      const s = decodeURIComponent(m[1]);
      return [200, { data: [...new Set(traces.flatMap((t) => ops(t, s)))].sort() }];
    }
    if (path === '/api/traces') {
      const s = q.get('service');
      const op = q.get('operation');
      const tags = Object.entries(JSON.parse(q.get('tags') || '{}'));
      const tagged = (t) =>
        tags.every(([k, v]) => t.spans.some((sp) => sp.tags.some((g) => g.key === k && String(g.value) === v)));
      const found = traces.filter((t) => services(t).includes(s) && (!op || ops(t, s).includes(op)) && tagged(t));
      return [200, { data: found.slice(0, Number(q.get('limit') || 20)) }];
    }
    m = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (m) {
      const t = traces.find((t) => sameId(t.traceID, decodeURIComponent(m[1])));
      return t ? [200, { data: [t] }] : [404, notFound];
    }
    if (path.startsWith('/api/v3/traces/')) return [404, { error: { httpCode: 404, message: 'trace not found' } }];
    if (path === '/api/dependencies') return [200, { data: read(DEPS_FILE) }];
    return null;
  };
}

function tempoRoutes(read) {
  const trace = read(TEMPO_FILE);
  const id = Buffer.from(trace.batches[0].scopeSpans[0].spans[0].traceId, 'base64').toString('hex');
  return (path, q, req) => {
    if (path === '/api/search') return [200, { traces: [{ traceID: id, rootServiceName: 'my.service', durationMs: 1 }] }];
    if (path === '/api/search/tag/service.name/values') return [200, { tagValues: ['my.service'] }];
    const m = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (!m) return null;
    if (!sameId(id, decodeURIComponent(m[1]))) return [404, 'trace not found'];
    if (!/application\/json/.test(req.headers.accept ?? '')) return [406, 'asks for application/protobuf'];
    return [200, trace];
  };
}

function zipkinRoutes(read) {
  const traces = ZIPKIN_FILES.map(read);
  const names = (list) => [...new Set(list.filter(Boolean))].sort();
  const deps = read(DEPS_FILE).map((d, i) => ({ ...d, errorCount: i === 0 ? 1 : 0 }));
  return (path, q) => {
    if (path === '/api/v2/services') return [200, names(traces.flat().map((s) => s.localEndpoint?.serviceName))];
    if (path === '/api/v2/spans') {
      const s = q.get('serviceName');
      return [200, names(traces.flat().filter((sp) => sp.localEndpoint?.serviceName === s).map((sp) => sp.name))];
    }
    if (path === '/api/v2/traces') return [200, traces];
    const m = /^\/api\/v2\/trace\/([^/]+)$/.exec(path);
    if (m) {
      const t = traces.find((t) => sameId(t[0].traceId, decodeURIComponent(m[1])));
      return t ? [200, t] : [404, `Trace not found: ${m[1]}`];
    }
    if (path === '/api/v2/dependencies') return [200, deps];
    return null;
  };
}

/**
 * Starts a fake `kind` ('jaeger', 'tempo' or 'zipkin') query API on 127.0.0.1.
 *
 * @returns {Promise<{origin: string, requests: Array<{method: string, url: string, accept: string}>, close: () => Promise<void>}>}
 */
export async function startFakeBackend({ kind, corpusDir, cors = true }) {
  const { readFileSync } = await import('node:fs');
  const read = (rel) => JSON.parse(readFileSync(join(corpusDir, rel), 'utf8'));
  const routes = { jaeger: jaegerRoutes, tempo: tempoRoutes, zipkin: zipkinRoutes }[kind](read);
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, accept: req.headers.accept ?? '' });
    const url = new URL(req.url, 'http://backend');
    const answer = req.method === 'GET' ? routes(url.pathname, url.searchParams, req) : null;
    const [status, body] = answer ?? [404, '404 page not found'];
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Cache-Control': 'no-store',
      ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}),
    });
    res.end(text);
  });
  await new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', done);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections?.();
      }),
  };
}

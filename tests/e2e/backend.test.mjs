// Tracing backends as data sources (#backend-panel): fake Jaeger, Tempo and Zipkin query
// APIs on loopback (server.mjs `startFakeBackend`, answering with corpus files), searched,
// asked for a trace by id and for their dependency graph; a `?backend=…&trace=…` link; the
// messages for a backend that refuses other origins (CORS) and for a trace it does not have;
// and the privacy promise: the page asks nothing of anyone but its own site and the backend.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { App, CORPUS_DIR, startEnv } from './harness.mjs';
import { startFakeBackend } from './server.mjs';

/** jaeger/jaegerui-testTraceNormal.json: 5 spans, api-gateway → customers-service. */
const NORMAL_TRACE = '4766f1209f70a5e2e55417fc296fd101';
const NORMAL_SPAN = 'e821b549888cbc3b';
/** otlp/observatorium-tempo-batches-response.json's one trace. */
const TEMPO_TRACE = '5b8efff798038103d269b633813fc60c';

let env;
const fakes = {};
before(async () => {
  env = await startEnv();
  for (const kind of ['jaeger', 'tempo', 'zipkin']) {
    fakes[kind] = await startFakeBackend({ kind, corpusDir: CORPUS_DIR });
  }
  fakes.nocors = await startFakeBackend({ kind: 'jaeger', corpusDir: CORPUS_DIR, cors: false });
});
after(async () => {
  await Promise.all(Object.values(fakes).map((f) => f.close()));
  await env?.close();
});

/**
 * A test with one page whose every request (page, workers, service worker) is recorded in
 * `app.allRequests` from the first one on; afterwards the page must be healthy.
 */
function backendTest(name, fn) {
  return test(name, { timeout: 120_000 }, async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const allRequests = [];
    context.on('request', (r) => allRequests.push(r.url()));
    const page = await context.newPage();
    const app = new App(env, context, page);
    app.allRequests = allRequests;
    app.open = async (path = '') => {
      await page.goto(env.server.base + path, { waitUntil: 'load' });
      await app.waitForMount();
    };
    try {
      await fn(app);
      await new Promise((r) => setTimeout(r, 200));
      app.assertHealthy();
    } catch (err) {
      const diag = app.diagnostics();
      if (diag && typeof err.message === 'string') err.message += `\n${diag}`;
      throw err;
    } finally {
      await app.close();
    }
  });
}

/** Opens the panel and connects to `kind` at `origin`; waits for its services. */
async function connect(app, kind, origin) {
  const { page } = app;
  if (!(await page.locator('#backend-panel').isVisible())) await page.click('#backend-open');
  await page.selectOption('#backend-kind', kind);
  await page.fill('#backend-url', origin);
  await page.click('#backend-connect');
}

async function status(app) {
  return app.text('#backend-status');
}

async function waitForStatus(app, re) {
  return app.waitFor(`#backend-status to match ${re}`, () => status(app), (t) => re.test(t ?? ''));
}

/** Every http(s) request went to the site or to `backend`. */
function assertOnlyTo(app, origins) {
  const elsewhere = app.allRequests.filter((u) => /^https?:/.test(u) && !origins.some((o) => u.startsWith(o + '/')));
  assert.deepEqual(elsewhere, [], `requests to other origins: ${elsewhere.join(', ')}`);
}

backendTest('Jaeger: services and operations fill the form; a search loads the traces into the list', async (app) => {
  await app.open();
  const jaeger = fakes.jaeger;
  await connect(app, 'jaeger', jaeger.origin);
  await waitForStatus(app, /Connected to Jaeger at .*: 13 services/);
  await app.page.selectOption('#backend-service', 'customers-service');
  await app.waitFor('the operations', () => app.page.locator('#backend-operation option').count(), (n) => n > 1);
  await app.page.fill('#backend-min', '1ms');
  await app.page.click('#backend-search-run');
  // testTraceNormal and spanAmongEachOtherGroupedAndSpans have customers-service.
  await app.waitForSummary(/2 traces · 22 spans/);
  await app.page.click('#backend-close');
  const rows = await app.waitFor('two trace rows', () => app.traceRows(), (r) => r.length === 2);
  assert.ok(rows.some((r) => r.traceId === NORMAL_TRACE), JSON.stringify(rows));
  const search = jaeger.requests.find((r) => r.url.startsWith('/api/traces?'));
  assert.match(search.url, /service=customers-service/);
  assert.match(search.url, /minDuration=1ms/);
  assert.match(search.url, /lookback=1h&limit=20/);
  assert.deepEqual(await app.messages('error'), []);
  // Tags go as Jaeger's JSON object; a search that finds nothing says so.
  await app.page.click('#backend-open');
  await app.page.selectOption('#backend-service', 'customers-service');
  await app.page.fill('#backend-tags', 'error=nope');
  await app.page.click('#backend-search-run');
  const none = await app.waitForMessage(/found nothing/);
  assert.match(none, /Jaeger at .* found nothing for .*tags=%7B%22error%22%3A%22nope%22%7D/);
  assertOnlyTo(app, [env.server.origin, jaeger.origin]);
  // Remembered in this browser: a fresh page uses it again.
  assert.equal(await app.page.evaluate(() => localStorage.getItem('spanorama-backend')), `jaeger:${jaeger.origin}`);
});

backendTest('Tempo: a trace opened by id (JSON asked for), and a TraceQL search loads its traces', async (app) => {
  await app.open();
  const tempo = fakes.tempo;
  await connect(app, 'tempo', tempo.origin);
  await waitForStatus(app, /Connected to Tempo .*: 1 services/);
  await app.page.fill('#backend-trace-id', TEMPO_TRACE);
  await app.page.click('#backend-open-trace');
  await app.waitForSummary(/1 trace · 1 span/);
  const asked = tempo.requests.find((r) => r.url === `/api/traces/${TEMPO_TRACE}`);
  assert.match(asked.accept, /application\/json/);
  // The page's URL names the trace and its backend, so that its link reopens it.
  const url = new URL(app.page.url());
  assert.equal(url.searchParams.get('backend'), `tempo:${tempo.origin}`);
  assert.equal(url.searchParams.get('trace'), TEMPO_TRACE);
  // Search: the summaries, then each trace by id.
  await app.page.fill('#backend-traceql', '{ status = error }');
  await app.page.click('#backend-search-run');
  await waitForStatus(app, /Found 1 traces/);
  const search = await app.waitFor('the search request', async () => tempo.requests.find((r) => r.url.startsWith('/api/search?')));
  assert.match(search.url, /q=%7B%20status%20%3D%20error%20%7D&limit=20&start=\d+&end=\d+/);
  await app.waitFor('the found trace fetched', async () => tempo.requests.filter((r) => r.url.startsWith('/api/traces/')).length, (n) => n >= 2);
  assert.deepEqual(await app.messages('error'), []);
  assertOnlyTo(app, [env.server.origin, tempo.origin]);
});

backendTest('Zipkin: the dependency graph loads into the service graph, error counts kept; a search loads traces', async (app) => {
  await app.open();
  const zipkin = fakes.zipkin;
  await connect(app, 'zipkin', zipkin.origin);
  await waitForStatus(app, /Connected to Zipkin .*: \d+ services/);
  await app.page.click('#backend-dependencies');
  await app.page.click('#backend-close');
  await app.waitFor('#graph-edges rows', () => app.page.locator('#graph-edges tr[data-from]').count(), (n) => n === 7);
  const edge = app.page.locator('#graph-edges tr[data-from="Service1"][data-to="Service2"]');
  assert.equal(await edge.getAttribute('data-calls'), '30489');
  assert.equal(await edge.getAttribute('data-errors'), '1');
  const asked = zipkin.requests.find((r) => r.url.startsWith('/api/v2/dependencies?'));
  assert.match(asked.url, /^\/api\/v2\/dependencies\?endTs=\d{13}&lookback=3600000$/);
  // A search answers an array of traces (shared client/server spans merged); durations in µs.
  await app.page.click('#backend-open');
  await app.page.fill('#backend-min', '2ms');
  await app.page.click('#backend-search-run');
  await app.waitForSummary(/2 traces · 22 spans/);
  const search = zipkin.requests.find((r) => r.url.startsWith('/api/v2/traces?'));
  assert.match(search.url, /^\/api\/v2\/traces\?minDuration=2000&endTs=\d{13}&lookback=3600000&limit=20$/);
  assertOnlyTo(app, [env.server.origin, zipkin.origin]);
});

backendTest('a ?backend=jaeger:…&trace=… link opens the trace, at the span its fragment names', async (app) => {
  const jaeger = fakes.jaeger;
  const backend = encodeURIComponent(`jaeger:${jaeger.origin}`);
  await app.open(`?backend=${backend}&trace=${NORMAL_TRACE}#trace=${NORMAL_TRACE}&span=${NORMAL_SPAN}`);
  await app.waitForSummary(/1 trace · 5 spans/);
  await app.waitFor('the linked span in the detail', () => app.page.url(), (u) => u.includes(`span=${NORMAL_SPAN}`));
  const detail = await app.waitFor('the detail panel', () => app.detail(), (d) => d && /GET \/owners\/8\/pets\/10/.test(d.title));
  assert.match(detail.title, /GET \/owners/);
  // The copied link keeps where the trace came from.
  const url = new URL(app.page.url());
  assert.equal(url.searchParams.get('backend'), `jaeger:${jaeger.origin}`);
  assert.equal(url.searchParams.get('trace'), NORMAL_TRACE);
  // The worker's requests are recorded too (the trace is fetched there).
  assert.ok(app.allRequests.includes(`${jaeger.origin}/api/traces/${NORMAL_TRACE}`), app.allRequests.join(', '));
  assertOnlyTo(app, [env.server.origin, jaeger.origin]);
});

backendTest('the trace-context inspector fetches a trace that is not loaded from the backend, in one click', async (app) => {
  await app.open();
  const jaeger = fakes.jaeger;
  await connect(app, 'jaeger', jaeger.origin);
  await waitForStatus(app, /Connected/);
  await app.page.click('#backend-close');
  await app.page.click('#context-open');
  await app.page.fill('#context-input', `traceparent: 00-${NORMAL_TRACE}-${NORMAL_SPAN}-01`);
  const fetch = app.page.locator('.context-fetch-trace');
  assert.equal(await fetch.textContent(), 'Fetch from Jaeger');
  await fetch.click();
  await app.waitForSummary(/1 trace · 5 spans/);
  await app.waitFor('the span selected', () => app.page.url(), (u) => u.includes(`span=${NORMAL_SPAN}`));
});

backendTest('a backend without CORS: the message says so and names the setting; unreachable is told apart', async (app) => {
  await app.open();
  await connect(app, 'jaeger', fakes.nocors.origin);
  const text = await waitForStatus(app, /CORS/);
  assert.match(text, /answered but does not let this page read/);
  assert.match(text, new RegExp(`--query\\.additional-headers="Access-Control-Allow-Origin: ${env.server.origin}"`));
  // A trace through the worker says the same.
  await app.page.fill('#backend-trace-id', NORMAL_TRACE);
  await app.page.click('#backend-open-trace');
  const msg = await app.waitForMessage(/CORS/);
  assert.match(msg, new RegExp(`^${fakes.nocors.origin}/api/traces/${NORMAL_TRACE}: `));
  // Nothing listening: unreachable.
  await connect(app, 'zipkin', 'http://127.0.0.1:9');
  await waitForStatus(app, /Zipkin at http:\/\/127\.0\.0\.1:9 could not be reached/);
});

backendTest('a trace the backend does not have: "not found"; no backend: only the site is asked', async (app) => {
  await app.open('?url=examples/shop-checkout.otlp.json');
  await app.waitForSpans(1);
  assertOnlyTo(app, [env.server.origin]);
  await connect(app, 'jaeger', fakes.jaeger.origin);
  await app.page.fill('#backend-trace-id', 'deadbeef');
  await app.page.click('#backend-open-trace');
  const msg = await app.waitForMessage(/not found/);
  assert.match(msg, new RegExp(`trace deadbeef not found in Jaeger at ${fakes.jaeger.origin}`));
  // Jaeger was asked on api_v3 too.
  assert.ok(fakes.jaeger.requests.some((r) => r.url === '/api/v3/traces/deadbeef'));
  await app.page.click('#backend-forget');
  assert.equal(await app.page.evaluate(() => localStorage.getItem('spanorama-backend')), null);
});

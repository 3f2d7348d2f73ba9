// The site is served from a sub-path (`/spanorama/`), as on GitHub Pages: every request the
// page makes must stay below it (no absolute `/index-*.js`, `/examples/...`, `/favicon...`).

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { PREFIX, appTest, corpusFile, startEnv } from './harness.mjs';

const HOTROD = corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json');

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

appTest('the whole session stays below the sub-path', () => env, async ({ open }) => {
  const firstRequest = env.server.requests.length;
  const app = await open();

  await app.page.selectOption('#examples', 'examples/shop-traces.jaeger.json');
  await app.waitForSpans(1);
  await app.loadFiles([HOTROD]);
  // Loads finish asynchronously (in the import worker): wait for the second file itself.
  await app.waitFor('the second file in #files', () => app.fileInfos(), (f) => f.length === 2);
  await app.waitForSummary(/\b\d[\d,]* traces\b/);
  await app.waitForCanvas();
  await app.clickRow(0);
  await app.waitFor('#detail to show a span', () => app.detail(), (d) => d != null && d.title !== '');
  await app.page.fill('#url-input', 'examples/shop-checkout.otlp.json');
  const response = app.page.waitForResponse((r) => r.url().endsWith('/examples/shop-checkout.otlp.json'));
  await app.page.click('#url-load');
  assert.equal((await response).status(), 200);
  await app.waitFor(
    'the URL load to show up in #files',
    () => app.text('#files'),
    (s) => s != null && s.includes('shop-checkout.otlp.json'),
  );

  // What the browser asked for (data: and blob: URLs never leave the page).
  const fetched = app.requests.filter((u) => !/^(data|blob):/.test(u));
  assert.ok(fetched.some((u) => u.endsWith('.wasm')), `no .wasm among the requests: ${JSON.stringify(fetched, null, 1)}`);
  const outside = fetched.filter((u) => !u.startsWith(env.server.base));
  assert.deepEqual(outside, [], `requests outside ${env.server.base}`);

  // What the server saw.
  const seen = env.server.requests.slice(firstRequest).map((r) => r.url);
  assert.deepEqual(seen.filter((u) => !u.startsWith(PREFIX)), [], 'server requests outside the prefix');

  assert.deepEqual(app.failedRequests, [], 'failed requests');
});

appTest('`/spanorama` without the trailing slash redirects and works', () => env, async ({ open }) => {
  const app = await open('');
  await app.page.goto(env.server.base.replace(/\/$/, ''));
  assert.equal(app.page.url(), env.server.base);
  await app.waitForMount();
});

appTest('served content types: wasm as application/wasm, scripts as JavaScript', () => env, async ({ open }) => {
  const app = await open();
  const urls = await app.page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).concat([location.href]),
  );
  const wasm = urls.filter((u) => new URL(u).pathname.endsWith('.wasm'));
  const js = urls.filter((u) => new URL(u).pathname.endsWith('.js'));
  assert.ok(wasm.length >= 1 && js.length >= 1, `resources: ${JSON.stringify(urls)}`);
  for (const u of wasm) {
    const res = await app.page.request.get(u);
    assert.equal(res.headers()['content-type'], 'application/wasm', u);
  }
  for (const u of js) {
    const res = await app.page.request.get(u);
    assert.match(res.headers()['content-type'], /^text\/javascript/, u);
  }
});

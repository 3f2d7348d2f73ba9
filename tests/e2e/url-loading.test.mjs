// Loading a trace by URL: the `?url=` query parameter and the `#url-input` + `#url-load` form.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, startEnv } from './harness.mjs';

const HOTROD_REL = 'otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json';

let env;
before(async () => {
  env = await startEnv({ crossOrigin: true });
});
after(async () => {
  await env?.close();
});

appTest('?url= with a relative URL loads an example at start-up', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-checkout.otlp.json');
  const { spans } = await app.waitForSpans(1);
  assert.ok(spans >= 1);
  await app.waitForCanvas();
  const files = (await app.fileInfos()).join('\n');
  assert.match(files, /shop-checkout\.otlp\.json/);
  assert.match(files, /OTLP JSON/);
  assert.deepEqual(await app.messages('error'), []);
});

appTest('?url= that answers 404 gives an error with the HTTP status', () => env, async ({ open }) => {
  const app = await open('?url=/does-not-exist.json');
  const msg = await app.waitForMessage(/does-not-exist\.json/);
  assert.match(msg, /404/, `message: ${msg}`);
  assert.match(msg, /^\S*does-not-exist\.json: /, `message does not start with the URL: ${msg}`);
  assert.doesNotMatch(await app.summary(), /\b[1-9][\d,]* spans?\b/);
});

appTest('#url-input + #url-load loads a relative URL', () => env, async ({ open }) => {
  const app = await open();
  await app.page.fill('#url-input', 'examples/shop-checkout.otlp.json');
  await app.page.click('#url-load');
  await app.waitForSpans(1);
  await app.waitForCanvas();
});

appTest('#url-load with a server error shows the status', () => env, async ({ open }) => {
  const app = await open();
  const url = `${env.server.origin}/__test__/status/500`;
  await app.page.fill('#url-input', url);
  await app.page.click('#url-load');
  const msg = await app.waitForMessage(/__test__\/status\/500/);
  assert.match(msg, /500/, `message: ${msg}`);
});

appTest('#url-load from another origin: works with CORS, a clear error without', () => env, async ({ open }) => {
  const app = await open();

  const withCors = `${env.other.origin}/__test__/cors/${HOTROD_REL}`;
  await app.page.fill('#url-input', withCors);
  await app.page.click('#url-load');
  await app.waitForSummary('1 trace · 40 spans · 6 services');
  await app.waitForCanvas({ rows: 40 });

  const noCors = `${env.other.origin}/__test__/nocors/${HOTROD_REL}`;
  await app.page.fill('#url-input', noCors);
  await app.page.click('#url-load');
  const msg = await app.waitForMessage(/__test__\/nocors\//);
  assert.match(msg, /: \S/, `message has no reason: ${msg}`);
  // The failed load leaves the loaded trace alone.
  assert.match(await app.summary(), /\b40 spans\b/);
});

// The trace-context inspector: header lines pasted from a log are decoded and checked, and a
// context whose trace is loaded opens it at the sending span.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, DIST_DIR, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

const contexts = (app) =>
  app.page.locator('#context-results .context').evaluateAll((sections) =>
    sections.map((s) => ({
      ...s.dataset,
      errors: [...s.querySelectorAll('.context-error')].map((e) => e.textContent),
      open: s.querySelector('.context-open-trace') != null,
    })),
  );

appTest('pasted headers are decoded and checked, and a loaded trace opens at the sending span', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-traces.jaeger.json'), 'utf8'));
  const trace = file.data[2];
  const span = trace.spans.find((s) => trace.spans.some((c) => c.references?.some((r) => r.spanID === s.spanID)));
  const app = await open('index.html?url=examples/shop-traces.jaeger.json');
  await app.waitForCanvas();
  await app.page.click('#context-open');
  const lines = [
    `traceparent: 00-${trace.traceID}-${span.spanID}-01`,
    `traceparent: ff-${trace.traceID}-${span.spanID}-01`,
    `uber-trace-id: ${'0'.repeat(15)}1:${span.spanID}:0:1`,
    'X-B3-TraceId: 80f198ee56343ba8',
  ];
  await app.page.fill('#context-input', lines.join('\n'));
  const found = await app.waitFor('four contexts', () => contexts(app), (c) => c.length === 4);
  // The valid traceparent: its ids, loaded, so it can be opened.
  assert.equal(found[0].format, 'W3C traceparent');
  assert.equal(found[0].valid, 'true');
  assert.equal(found[0].traceId, trace.traceID);
  assert.equal(found[0].spanId, span.spanID);
  assert.equal(found[0].open, true);
  // Version ff: invalid, and says why.
  assert.equal(found[1].valid, 'false');
  assert.match(found[1].errors.join(' '), /version ff is invalid/);
  // A Jaeger id nobody loaded: valid, not openable.
  assert.equal(found[2].valid, 'true');
  assert.equal(found[2].open, false);
  assert.match(await app.page.locator('#context-results .context').nth(2).textContent(), /not among the loaded traces/);
  // B3 without its span id.
  assert.match(found[3].errors.join(' '), /x-b3-spanid is missing/);
  // One click: the trace, at the span, in the waterfall.
  await app.page.locator('#context-results .context').first().locator('.context-open-trace').click();
  await app.waitFor('the inspector closed', () => app.page.locator('#context-inspector').count(), (n) => n === 0);
  const params = () => new URLSearchParams(new URL(app.page.url()).hash.slice(1));
  await app.waitFor('the trace and span in the URL', () => params(), (p) => p.get('trace') === trace.traceID && p.get('span') === span.spanID);
  assert.deepEqual(await app.messages('error'), []);
});

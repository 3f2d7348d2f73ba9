// The bundled examples (static/examples/, copied into the site) chosen from `#examples`.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, startEnv } from './harness.mjs';

const EXAMPLES = {
  checkout: 'examples/shop-checkout.otlp.json',
  traces: 'examples/shop-traces.jaeger.json',
  fanout: 'examples/big-fanout.otlp.json',
};

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

appTest('#examples offers the bundled examples', () => env, async ({ open }) => {
  const app = await open();
  const values = await app.page.locator('#examples option').evaluateAll((opts) => opts.map((o) => o.value));
  for (const v of Object.values(EXAMPLES)) assert.ok(values.includes(v), `no option ${v} in ${JSON.stringify(values)}`);
  // Every offered example is in the built site.
  for (const v of values.filter((x) => x !== '')) {
    const res = await app.page.request.get(new URL(v, env.server.base).href);
    assert.equal(res.status(), 200, `${v}: HTTP ${res.status()}`);
  }
});

appTest('shop-traces (Jaeger JSON, several traces): trace list with several rows', () => env, async ({ open }) => {
  const app = await open();
  await app.page.selectOption('#examples', EXAMPLES.traces);
  const { traces } = await app.waitForSpans(1);
  assert.ok(traces > 1, `summary reports ${traces} trace(s)`);
  const rows = await app.waitFor('#trace-list rows', () => app.traceRows(), (r) => r.length > 1);
  assert.equal(rows.length, traces, 'one trace-list row per trace');
  assert.equal(rows.filter((r) => r.selected).length, 1);
  const files = (await app.fileInfos()).join('\n');
  assert.match(files, /Jaeger JSON/);
  await app.waitForCanvas();
});

appTest('shop-checkout (OTLP JSON, one trace): drawn, no trace list', () => env, async ({ open }) => {
  const app = await open();
  await app.page.selectOption('#examples', EXAMPLES.checkout);
  const { traces } = await app.waitForSpans(1);
  assert.equal(traces, 1);
  await app.waitForCanvas();
  assert.equal(await app.page.locator('#trace-list').isVisible(), false);
});

appTest('big-fanout (thousands of spans): loads and draws, the first row can be selected', () => env, async ({ open }) => {
  const app = await open();
  await app.page.selectOption('#examples', EXAMPLES.fanout);
  const { spans } = await app.waitForSpans(1000);
  assert.ok(spans >= 1000, `${spans} spans`);
  const canvas = await app.waitForCanvas();
  assert.ok(canvas.rows >= 1, `data-rows=${canvas.rows}`);
  await app.clickRow(0);
  const detail = await app.waitFor('#detail to show a span', () => app.detail(), (d) => d != null && d.title !== '');
  assert.match(detail.fields['Span ID'] ?? '', /^[0-9a-f]{16}$/);
});

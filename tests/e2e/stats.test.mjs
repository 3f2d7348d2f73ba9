// Span statistics: per service (and by other groupings) over all loaded traces or the
// selected one, checked against counts made here from the files; a row narrows the trace
// list or the waterfall to its spans.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, corpusFile, DIST_DIR, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

const rows = (app) => app.page.locator('#stats tbody tr:not(.spacer)').evaluateAll((trs) => trs.map((tr) => ({ ...tr.dataset })));

appTest('statistics of a real-client file equal counts made from the file', () => env, async ({ open }) => {
  const path = corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json');
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const perService = new Map();
  for (const rs of file.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const c = perService.get(service) ?? { count: 0, errors: 0 };
        c.count++;
        if (s.status?.code === 2 || s.status?.code === 'STATUS_CODE_ERROR') c.errors++;
        perService.set(service, c);
      }
    }
  }
  const app = await open('index.html#view=stats');
  await app.loadFiles([path]);
  const stats = await app.waitFor('the statistics', () => rows(app), (r) => r.length === perService.size);
  for (const [service, c] of perService) {
    const row = stats.find((r) => r.key === service);
    assert.ok(row, `${service} in ${JSON.stringify(stats)}`);
    assert.equal(Number(row.count), c.count, `${service} spans`);
    assert.equal(Number(row.errors), c.errors, `${service} errors`);
    assert.ok(Number(row.selfNs) >= 0);
  }
  // By service and operation: as many spans in all.
  await app.page.selectOption('#stats-group', 'operation');
  const ops = await app.waitFor('by operation', () => rows(app), (r) => r.length > perService.size);
  assert.equal(ops.reduce((n, r) => n + Number(r.count), 0), [...perService.values()].reduce((n, c) => n + c.count, 0));
  assert.deepEqual(await app.messages('error'), []);
});

appTest('a statistics row narrows the trace list, or the waterfall of the selected trace', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=stats');
  const all = await app.waitFor('the statistics', () => rows(app), (r) => r.length > 1);
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-traces.jaeger.json'), 'utf8'));
  const rarest = [...all].sort((a, b) => Number(a.count) - Number(b.count))[0];
  const withIt = file.data.filter((t) => t.spans.some((s) => t.processes[s.processID].serviceName === rarest.key)).length;
  await app.page.click(`#stats tr[data-key="${rarest.key}"] button.link`);
  const count = await app.waitFor('the list narrowed', () => app.page.getAttribute('#trace-filter', 'data-count').catch(() => null), (c) => c != null);
  assert.equal(Number(count), withIt);
  // The selected trace alone: a row shows its spans in the waterfall.
  await app.page.check('#stats-scope-trace');
  const one = await app.waitFor('the trace\u2019s statistics', () => rows(app), (r) => r.length > 0 && r.reduce((n, x) => n + Number(x.count), 0) < all.reduce((n, x) => n + Number(x.count), 0));
  const biggest = one[0];
  await app.page.click(`#stats tr[data-key="${biggest.key}"] button.link`);
  const shown = await app.waitFor('the spans in the waterfall', () => app.page.getAttribute('#span-filter', 'data-count').catch(() => null), (c) => c != null);
  assert.equal(Number(shown), Number(biggest.count));
  await app.waitForCanvas();
  assert.ok((await app.canvas()).rows >= Number(biggest.count));
  await app.page.click('#span-filter-clear');
  await app.waitFor('every span again', () => app.page.locator('#span-filter').count(), (n) => n === 0);
});

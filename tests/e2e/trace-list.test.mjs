// The trace list: sorted by a header click (again the other way), filtered by root
// service and operation, errors and duration, with the count shown.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, DIST_DIR, startEnv } from './harness.mjs';

const EXAMPLE = 'examples/shop-traces.jaeger.json';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** Each trace of the example: its id, duration (µs), whether it has an error, root. */
function traces() {
  const file = JSON.parse(readFileSync(join(DIST_DIR, EXAMPLE), 'utf8'));
  return file.data.map((t) => {
    const ends = t.spans.map((s) => s.startTime + s.duration);
    const start = Math.min(...t.spans.map((s) => s.startTime));
    const root = t.spans.find((s) => !(s.references ?? []).some((r) => r.refType === 'CHILD_OF'));
    const error = t.spans.some((s) => (s.tags ?? []).some((k) => k.key === 'error' && (k.value === true || k.value === 'true')) ||
      (s.tags ?? []).some((k) => k.key === 'otel.status_code' && k.value === 'ERROR'));
    return { duration: Math.max(...ends) - start, error, service: t.processes[root.processID].serviceName, op: root.operationName };
  });
}

const durations = (app) => app.page.locator('#trace-list tr.trace-row').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.durationNs)));
const shown = (app) => app.page.getAttribute('#trace-count', 'data-shown').then(Number);

appTest('the trace list sorts by duration both ways and filters by root, errors and duration', () => env, async ({ open }) => {
  const all = traces();
  const app = await open(`index.html?url=${EXAMPLE}`);
  await app.waitFor('the list', () => app.traceRows(), (r) => r.length === all.length);
  await app.page.click('#trace-list th[data-column=duration] .sort');
  const down = await app.waitFor('slowest first', () => durations(app), (d) => d.every((v, i) => i === 0 || d[i - 1] >= v));
  assert.equal(down.length, all.length);
  assert.equal(await app.page.getAttribute('#trace-list th[data-column=duration]', 'aria-sort'), 'descending');
  await app.page.click('#trace-list th[data-column=duration] .sort');
  await app.waitFor('fastest first', () => durations(app), (d) => d.every((v, i) => i === 0 || d[i - 1] <= v));
  // The slowest trace's duration, from the file, is the largest listed (µs → ns).
  assert.equal(Math.max(...down), Math.max(...all.map((t) => t.duration)) * 1000);
  // With errors only.
  await app.page.check('#trace-filter-errors');
  const withErrors = all.filter((t) => t.error).length;
  assert.ok(withErrors > 0 && withErrors < all.length);
  await app.waitFor('traces with errors', () => shown(app), (n) => n === withErrors);
  assert.equal((await app.traceRows()).length, withErrors);
  await app.page.uncheck('#trace-filter-errors');
  // A root operation.
  const op = all[0].op;
  await app.page.selectOption('#trace-filter-service', all[0].service);
  await app.page.selectOption('#trace-filter-op', op);
  await app.waitFor('one operation', () => shown(app), (n) => n === all.filter((t) => t.service === all[0].service && t.op === op).length);
  await app.page.click('#trace-filters-clear');
  await app.waitFor('every trace', () => shown(app), (n) => n === all.length);
  // At least a duration: the median trace's.
  const sorted = all.map((t) => t.duration).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  await app.page.fill('#trace-filter-min', `${median}us`);
  await app.page.press('#trace-filter-min', 'Enter');
  await app.waitFor('the slower half', () => shown(app), (n) => n === sorted.filter((d) => d >= median).length);
  assert.match(await app.text('#trace-count'), new RegExp(`of ${all.length} traces`));
  // With a span matching a span query: the traces that call redis, counted from the file.
  await app.page.click('#trace-filters-clear');
  await app.waitFor('every trace', () => shown(app), (n) => n === all.length);
  const file = JSON.parse(readFileSync(join(DIST_DIR, EXAMPLE), 'utf8'));
  const withRedis = file.data.filter((t) => t.spans.some((s) => t.processes[s.processID].serviceName === 'redis')).length;
  assert.ok(withRedis > 0 && withRedis < all.length);
  await app.page.fill('#trace-filter-spans', 'service:redis');
  await app.page.press('#trace-filter-spans', 'Enter');
  await app.waitFor('the traces with redis', () => shown(app), (n) => n === withRedis);
  await app.page.fill('#trace-filter-spans', 'duration>fast');
  await app.page.press('#trace-filter-spans', 'Enter');
  await app.waitFor('the query’s error', () => app.page.locator('#trace-filter-spans-error').count(), (n) => n === 1);
});

// Comparing two traces: pick a baseline and another trace of the same root operation; the
// diff tree's figures equal sums made here from the file (durations per service:operation
// call path), swapping flips them, and the diff flame graph draws and downloads.

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

/** Per call path (`svc:op/svc2:op2`) of a Jaeger trace: its spans' summed duration, ns. */
function pathTotals(trace) {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const parentOf = (s) => {
    const refs = (s.references ?? []).filter((r) => r.traceID === trace.traceID && byId.has(r.spanID));
    const ref = refs.find((r) => r.refType === 'CHILD_OF') ?? refs.find((r) => r.refType === 'FOLLOWS_FROM');
    return ref ? byId.get(ref.spanID) : null;
  };
  const frame = (s) => `${trace.processes[s.processID].serviceName}:${s.operationName}`;
  const totals = new Map();
  for (const s of trace.spans) {
    const frames = [];
    for (let at = s; at; at = parentOf(at)) frames.unshift(frame(at));
    const path = frames.join('/');
    totals.set(path, (totals.get(path) ?? 0) + s.duration * 1000);
  }
  return totals;
}

/** The rows `#diff-tree` should have comparing `a` (baseline) with `b`, by path. */
function expectedRows(a, b) {
  const rows = new Map();
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const [x, y] = [a.get(path), b.get(path)];
    const status = x == null ? 'added' : y == null ? 'removed' : x !== y ? 'changed' : 'same';
    rows.set(path, { aNs: x == null ? '' : String(x), bNs: y == null ? '' : String(y), status, changeNs: String((y ?? 0) - (x ?? 0)) });
  }
  return rows;
}

const treeRows = (app) => app.page.locator('#diff-tree tbody tr:not(.spacer)').evaluateAll((trs) => trs.map((tr) => ({ ...tr.dataset })));

/** Chooses the trace whose id starts with `id` in the select `selector`. */
async function pick(app, selector, id) {
  const value = await app.page.locator(`${selector} option`).evaluateAll(
    (options, short) => options.find((o) => o.textContent.endsWith(short))?.value,
    id.slice(0, 8),
  );
  assert.ok(value != null, `${id} in ${selector}`);
  await app.page.selectOption(selector, value);
}

/** Clicks `selector` and reads the download it starts: its file name and bytes. */
async function download(app, selector) {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

function assertRows(rows, expected) {
  assert.equal(rows.length, expected.size, `${rows.length} rows for ${expected.size} paths`);
  for (const row of rows) {
    const want = expected.get(row.path);
    assert.ok(want, `unexpected path ${row.path}`);
    assert.deepEqual({ aNs: row.aNs, bNs: row.bNs, status: row.status, changeNs: row.changeNs }, want, row.path);
  }
}

appTest('two runs of a request compared: durations per call path, swap, diff flame graph', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-traces.jaeger.json'), 'utf8'));
  const root = (t) => t.spans.find((s) => !(s.references ?? []).length);
  const checkouts = file.data.filter((t) => root(t).operationName === 'POST /cart/checkout');
  assert.ok(checkouts.length >= 2);
  // The biggest and the smallest run: paths added and removed as well as changed.
  const [small, big] = [...checkouts].sort((x, y) => x.spans.length - y.spans.length).filter((_, i, all) => i === 0 || i === all.length - 1);
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=compare');
  await app.waitFor('the pickers', () => app.page.locator('#compare-a').count(), (n) => n === 1);
  await pick(app, '#compare-a', big.traceID);
  await pick(app, '#compare-b', small.traceID);
  const expected = expectedRows(pathTotals(big), pathTotals(small));
  assert.ok([...expected.values()].some((r) => r.status === 'removed'));
  const rows = await app.waitFor('the diff of the chosen pair', () => treeRows(app), (r) => r.length === expected.size && r[0].aNs === expected.get(r[0].path)?.aNs);
  assertRows(rows, expected);
  const summary = await app.page.locator('#diff-summary').textContent();
  const removed = [...expected.values()].filter((r) => r.status === 'removed').length;
  assert.match(summary, new RegExp(`\\b${removed} removed`));

  // The diff flame graph draws, hovers, zooms and downloads.
  const draws = () => app.page.getAttribute('#diff-flame', 'data-draws').then(Number);
  await app.waitFor('the diff flame graph drawn', draws, (d) => d > 0);
  const box = await app.page.locator('#diff-flame').boundingBox();
  await app.page.mouse.move(box.x + 40, box.y + 10);
  const tip = await app.waitFor('both sides\u2019 figures', () => app.page.locator('#diff-flame-tooltip').textContent().catch(() => null), (t) => t != null);
  assert.match(tip, /A: .* in 1 spans.*B: .* in 1 spans/);
  await app.page.mouse.click(box.x + 40, box.y + 30);
  await app.waitFor('zoomed', () => app.page.isDisabled('#diff-flame-reset'), (d) => d === false);
  await app.page.click('#diff-flame-reset');
  const png = await download(app, '#diff-flame-png');
  assert.equal(png.name, 'spanorama-diff-flame.png');
  assert.equal(png.bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  const svg = await download(app, '#diff-flame-svg');
  assert.equal(svg.name, 'spanorama-diff-flame.svg');
  const text = svg.bytes.toString('utf8');
  assert.ok(text.startsWith('<svg') && text.trimEnd().endsWith('</svg>'), text.slice(0, 80));
  assert.match(text, /<rect/);

  // Swap: B is the baseline now, every change the other way round.
  await app.page.click('#compare-swap');
  const swapped = expectedRows(pathTotals(small), pathTotals(big));
  const after = await app.waitFor('the swapped diff', () => treeRows(app), (r) => r.length === swapped.size && r.some((x) => x.status === 'added'));
  assertRows(after, swapped);
  for (const row of after) {
    assert.equal(Number(row.changeNs) + Number(expected.get(row.path).changeNs), 0, row.path);
  }
  // The pair survives a trip to another view.
  await app.page.click('#view-waterfall');
  await app.page.click('#view-compare');
  const again = await app.waitFor('the same pair', () => treeRows(app), (r) => r.length === swapped.size);
  assertRows(again, swapped);
  assert.match(app.page.url(), /view=compare/);
  assert.deepEqual(await app.messages('error'), []);
});

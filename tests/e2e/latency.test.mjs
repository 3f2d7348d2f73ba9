// The latency charts above the trace list: a file of 2,000 generated traces (written here,
// so every start and duration is known exactly); a brush on the scatter and on the
// histogram (linear and log) narrows the list to the traces counted here from the file;
// hovering the longest trace's dot names it, clicking opens it; both charts download as PNG
// and as SVG holding the dots.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appTest, startEnv } from './harness.mjs';

const TRACES = 2000;
const BASE = 1_700_000_000_000_000_000n;

let env;
let dir;
before(async () => {
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'spanorama-latency-'));
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A deterministic generator: traces over ten minutes, durations from 50 µs to ~5 s. */
function makeFile() {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const hex = (n, len) => n.toString(16).padStart(len, '0');
  const facts = [];
  const bySvc = new Map();
  for (let i = 0; i < TRACES; i++) {
    const traceId = '1' + hex(i + 1, 31);
    const start = BASE + BigInt(Math.floor(rand() * 600e6)) * 1000n;
    const duration = BigInt(Math.floor(50_000 * Math.pow(10, rand() * 5)));
    const error = rand() < 0.05;
    const service = `svc-${i % 4}`;
    const spans = 1 + Math.floor(rand() * 6);
    const list = bySvc.get(service) ?? [];
    for (let s = 0; s < spans; s++) {
      // The root covers the trace; children sit inside it.
      const a = s === 0 ? start : start + duration / 4n;
      const b = s === 0 ? start + duration : start + duration / 2n;
      list.push({
        traceId,
        spanId: hex(i * 8 + s + 1, 16),
        parentSpanId: s === 0 ? '' : hex(i * 8 + 1, 16),
        name: s === 0 ? `GET /op${i % 3}` : `child${s}`,
        kind: s === 0 ? 2 : 1,
        startTimeUnixNano: a.toString(),
        endTimeUnixNano: b.toString(),
        status: error && s === spans - 1 ? { code: 2 } : {},
      });
    }
    bySvc.set(service, list);
    facts.push({ traceId, start, duration, spans });
  }
  const resourceSpans = [...bySvc].map(([service, spans]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [{ scope: { name: 'e2e' }, spans }],
  }));
  const path = join(dir, 'many-traces.otlp.json');
  writeFileSync(path, JSON.stringify({ resourceSpans }));
  return { path, facts };
}

const shown = (app) => app.page.getAttribute('#trace-count', 'data-shown').then(Number);
const attr = (app, sel, name) => app.page.getAttribute(sel, name).catch(() => null);

/** Drags on `selector` between two points given as fractions of its box. */
async function drag(app, selector, [fx0, fy0], [fx1, fy1]) {
  const box = await app.page.locator(selector).boundingBox();
  const p = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  await app.page.mouse.move(...p(fx0, fy0));
  await app.page.mouse.down();
  await app.page.mouse.move(...p((fx0 + fx1) / 2, (fy0 + fy1) / 2), { steps: 4 });
  await app.page.mouse.move(...p(fx1, fy1), { steps: 4 });
  await app.page.mouse.up();
}

/** Bounds "lo hi" pairs of a `data-brush`, as BigInts. */
const bounds = (text) => text.split(' ').map((v) => BigInt(v));

async function clearFilters(app) {
  await app.page.click('#trace-filters-clear');
  await app.waitFor('every trace listed again', () => shown(app), (n) => n === TRACES);
  assert.equal(await attr(app, '#latency-chart', 'data-brush'), null);
}

async function download(app, selector) {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.click(selector)]);
  const path = join(dir, dl.suggestedFilename());
  await dl.saveAs(path);
  return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

appTest('brushing the latency charts narrows the list to the traces inside the brush', () => env, async ({ open }) => {
  const { path, facts } = makeFile();
  const app = await open('index.html');
  await app.loadFiles([path]);
  await app.waitFor('every trace listed', () => shown(app), (n) => n === TRACES);
  const points = await app.waitFor('the scatter drawn', () => attr(app, '#latency-chart', 'data-draw-ms'), (v) => v != null)
    .then(() => attr(app, '#latency-chart', 'data-points').then(Number));
  assert.ok(points > 100 && points <= TRACES, `${points} points`);

  // The scatter: a rectangle of start times and durations.
  await drag(app, '#latency-chart', [0.3, 0.5], [0.7, 0.97]);
  const brush = await app.waitFor('the scatter brush', () => attr(app, '#latency-chart', 'data-brush'), (b) => b != null);
  const [s0, s1, d0, d1] = bounds(brush);
  const inside = facts.filter((f) => f.start >= s0 && f.start <= s1 && f.duration >= d0 && f.duration <= d1).length;
  assert.ok(inside > 10 && inside < TRACES / 2, `${inside} traces in ${brush}`);
  assert.equal(await app.waitFor('the list narrowed', () => shown(app), (n) => n === inside), inside);
  // The duration inputs show the brush's duration bounds.
  assert.notEqual(await app.page.inputValue('#trace-filter-min'), '');
  await clearFilters(app);

  // The histogram, linear, then with log bins.
  for (const log of [false, true]) {
    if (log) {
      await app.page.check('#latency-log');
      await app.waitFor('log bins', () => attr(app, '#latency-histogram', 'data-log'), (v) => v === 'true');
    }
    await drag(app, '#latency-histogram', [0.35, 0.5], [0.75, 0.6]);
    const hb = await app.waitFor('the histogram brush', () => attr(app, '#latency-histogram', 'data-brush'), (b) => b != null);
    const [h0, h1] = bounds(hb);
    const within = facts.filter((f) => f.duration >= h0 && f.duration <= h1).length;
    assert.ok(within > 10 && within < TRACES, `${within} traces in ${hb} (log ${log})`);
    assert.equal(await app.waitFor('the list narrowed', () => shown(app), (n) => n === within), within);
    assert.notEqual(await app.page.inputValue('#trace-filter-max'), '');
    await clearFilters(app);
  }
  assert.deepEqual(await app.messages('error'), []);
});

appTest('hovering a dot names its trace, clicking opens it; both charts download', () => env, async ({ open }) => {
  const { path, facts } = makeFile();
  const app = await open('index.html');
  await app.loadFiles([path]);
  await app.waitFor('every trace listed', () => shown(app), (n) => n === TRACES);
  await app.waitFor('the scatter drawn', () => attr(app, '#latency-chart', 'data-draw-ms'), (v) => v != null);

  // Where the longest trace is drawn, by the chart's documented frame: plot inset 64 px
  // left, 14 right, 8 top, 22 bottom; start times across, 2% wider each side; durations up
  // from 0 to 105% of the longest.
  const longest = facts.reduce((a, b) => (b.duration > a.duration ? b : a));
  const starts = facts.map((f) => Number(f.start - BASE));
  const [lo, hi] = [Math.min(...starts), Math.max(...starts)];
  const pad = Math.max((hi - lo) * 0.02, 1e6);
  const box = await app.page.locator('#latency-chart').boundingBox();
  const plot = { x: 64, y: 8, w: box.width - 78, h: box.height - 30 };
  const x = plot.x + ((Number(longest.start - BASE) - (lo - pad)) / (hi - lo + 2 * pad)) * plot.w;
  const y = plot.y + plot.h - (Number(longest.duration) / (Number(longest.duration) * 1.05)) * plot.h;
  await app.page.mouse.move(box.x + x, box.y + y);
  const tip = await app.waitFor('the tooltip', () => attr(app, '#latency-tooltip', 'data-trace-id'), (v) => v != null);
  assert.equal(tip.replace(/^0+/, ''), longest.traceId);
  const text = await app.page.textContent('#latency-tooltip');
  assert.match(text, /svc-\d: GET \/op\d/);
  assert.match(text, new RegExp(`${longest.spans} spans`));
  await app.page.mouse.down();
  await app.page.mouse.up();
  // The list is virtual (the row may be out of view): the URL names the trace shown.
  await app.waitFor('the trace opened', () => app.page.url(), (u) => u.includes(`trace=${longest.traceId}`));

  const points = Number(await attr(app, '#latency-chart', 'data-points'));
  for (const name of ['latency-chart', 'latency-histogram']) {
    const png = await download(app, `#${name}-png`);
    assert.equal(png.name, `spanorama-${name}.png`);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = await download(app, `#${name}-svg`);
    const doc = svg.bytes.toString('utf8');
    assert.ok(doc.startsWith('<svg'), doc.slice(0, 80));
    if (name === 'latency-chart') {
      assert.equal((doc.match(/<circle/g) ?? []).length, points, 'one circle per dot');
    } else {
      assert.ok((doc.match(/<rect/g) ?? []).length > 5, 'bars');
    }
  }
  assert.deepEqual(await app.messages('error'), []);
});

appTest('the charts can be hidden for room, and stay hidden after a reload', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json');
  await app.page.waitForSelector('#latency-chart');
  const viewTop = () => app.page.locator('.view-switch').boundingBox().then((b) => b.y);
  const before = await viewTop();
  await app.page.click('#latency-toggle');
  await app.waitFor('the charts hidden', () => app.page.locator('#latency-chart').count(), (n) => n === 0);
  assert.equal(await app.page.getAttribute('#latency-toggle', 'aria-expanded'), 'false');
  // The view below gets the room.
  assert.ok((await viewTop()) < before - 100, `the view starts at ${await viewTop()}, was ${before}`);
  await app.page.reload();
  await app.waitForSpans(1);
  await app.page.waitForSelector('#latency-toggle');
  assert.equal(await app.page.locator('#latency-chart').count(), 0);
  await app.page.click('#latency-toggle');
  await app.page.waitForSelector('#latency-chart');
});

// The trace graph: the selected trace's call paths of service:operation, one box each,
// counted here from the file; hover for a box's figures, click to see its spans in the
// waterfall; the picture downloads as PNG and SVG.

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

/** Spans of each call path ("svc:op > svc:op > …") of an OTLP file's one trace. */
function callPaths(file) {
  const spans = [];
  for (const rs of file.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
    for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ service, ...s });
  }
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const paths = new Map();
  for (const s of spans) {
    const chain = [];
    for (let at = s; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) chain.unshift(`${at.service}:${at.name}`);
    const key = chain.join(' > ');
    paths.set(key, (paths.get(key) ?? 0) + 1);
  }
  return paths;
}

/** Moves over the canvas until the tooltip shows; where, its first line and its count. */
async function findBox(page) {
  const box = await page.locator('#trace-graph-canvas').boundingBox();
  for (let y = 10; y < box.height; y += 12) {
    for (let x = 10; x < box.width; x += 16) {
      await page.mouse.move(box.x + x, box.y + y);
      const tip = page.locator('#trace-graph-tooltip');
      const name = await tip.locator('div').first().textContent({ timeout: 30 }).catch(() => null);
      if (name) return { x: box.x + x, y: box.y + y, name, count: Number(await tip.getAttribute('data-count')) };
    }
  }
  throw new Error('no box found on the canvas');
}

appTest('the trace graph has a box per call path; hover, click and downloads', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-checkout.otlp.json'), 'utf8'));
  const paths = callPaths(file);
  const app = await open('index.html?url=examples/shop-checkout.otlp.json');
  await app.waitForCanvas();
  await app.page.click('#view-trace-graph');
  assert.match(app.page.url(), /view=trace-graph/);
  await app.waitFor('the trace graph drawn', () => app.page.getAttribute('#trace-graph-canvas', 'data-draws').catch(() => null), (d) => Number(d) > 0);
  const nodes = Number(await app.page.getAttribute('#trace-graph-canvas', 'data-nodes'));
  assert.equal(nodes, paths.size);
  assert.equal(await app.page.textContent('#trace-graph-drawn'), `${paths.size} nodes`);

  // Hover: the tooltip's count is that of a call path ending in the named frame (exactly
  // its count when only one path ends there).
  const found = await findBox(app.page);
  const frame = found.name.replace(': ', ':');
  const counts = [...paths].filter(([key]) => key.split(' > ').at(-1) === frame).map(([, n]) => n);
  assert.ok(counts.includes(found.count), `${found.name}: ${found.count} spans, paths ending there: ${counts}`);
  const tip = await app.page.textContent('#trace-graph-tooltip');
  assert.match(tip, /total .* % of the trace\).*self .* % of the trace\)/);

  // Downloads: the PNG is a PNG, the SVG draws the boxes' names.
  const save = async (selector) => {
    const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.click(selector)]);
    return readFileSync(await dl.path());
  };
  const png = await save('#trace-graph-png');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = (await save('#trace-graph-svg')).toString('utf8');
  assert.match(svg, /^<svg/);
  const operation = found.name.slice(found.name.indexOf(': ') + 2);
  const escaped = operation.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  assert.ok(svg.includes(escaped) || svg.includes(escaped.slice(0, 12)), `the SVG names ${operation}`);
  assert.ok(svg.includes('Self time'), 'the SVG has the legend');

  // Click: the waterfall shows that call path's spans.
  await app.page.mouse.move(found.x, found.y);
  await app.page.mouse.down();
  await app.page.mouse.up();
  const shown = await app.waitFor('the spans in the waterfall', () => app.page.getAttribute('#span-filter', 'data-count').catch(() => null), (c) => c != null);
  assert.equal(Number(shown), found.count);
  assert.match(await app.page.textContent('#span-filter'), /this call path/);
  assert.match(app.page.url(), /view=waterfall|^[^#]*#(?!.*view=)/);
  assert.deepEqual(await app.messages('error'), []);
});

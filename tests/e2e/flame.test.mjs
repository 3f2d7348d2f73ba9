// The flame graph: the selected trace's call paths merged by service:operation, widths by
// time; hover for a frame's figures, click to zoom, find frames by name; the same over
// every trace with the selected trace's root operation.

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

const attr = (app, name) => app.page.getAttribute('#flame-canvas', name).then((v) => (v == null ? null : Number(v)));

appTest('the flame graph merges call paths, zooms on a click and finds frames', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-checkout.otlp.json'), 'utf8'));
  const spans = file.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const app = await open('index.html?url=examples/shop-checkout.otlp.json#view=flame');
  await app.waitFor('the flame graph drawn', () => attr(app, 'data-draws'), (d) => d > 0);
  const nodes = await attr(app, 'data-nodes');
  // Spans with the same path merge: fewer frames than spans, more than one.
  assert.ok(nodes > 1 && nodes <= spans.length, `${nodes} frames for ${spans.length} spans`);
  // Hover the root: its figures.
  const box = await app.page.locator('#flame-canvas').boundingBox();
  await app.page.mouse.move(box.x + 40, box.y + 10);
  const tip = await app.waitFor('the root\u2019s figures', () => app.page.locator('#flame-tooltip').textContent().catch(() => null), (t) => t != null);
  assert.match(tip, /total .* \(100\.0 %\), self/);
  // Click a frame of the second row: zoomed (the reset button wakes up), and back.
  assert.equal(await app.page.isDisabled('#flame-reset'), true);
  const drawn = await attr(app, 'data-draws');
  await app.page.mouse.click(box.x + 40, box.y + 30);
  await app.waitFor('zoomed', () => app.page.isDisabled('#flame-reset'), (d) => d === false);
  await app.waitFor('drawn zoomed', () => attr(app, 'data-draws'), (d) => d > drawn);
  await app.page.click('#flame-reset');
  await app.waitFor('reset', () => app.page.isDisabled('#flame-reset'), (d) => d === true);
  // Find: drawn again with the others dimmed.
  const before = await attr(app, 'data-draws');
  await app.page.fill('#flame-search', 'postgres');
  await app.waitFor('drawn with the search', () => attr(app, 'data-draws'), (d) => d > before);
  assert.match(app.page.url(), /view=flame/);
  assert.deepEqual(await app.messages('error'), []);
});

appTest('the flame graph downloads as PNG and as SVG', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-checkout.otlp.json#view=flame');
  await app.waitFor('the flame graph drawn', () => attr(app, 'data-draws'), (d) => d > 0);
  const svg = await app.pictureDownloads('flame');
  // A rectangle per frame drawn, the background first; the root's frame named.
  const rects = (svg.match(/<rect /g) || []).length;
  assert.ok(rects >= 1 + (await attr(app, 'data-rects')), `${rects} rects`);
  assert.match(svg, /<text [^>]*>frontend: /);
});

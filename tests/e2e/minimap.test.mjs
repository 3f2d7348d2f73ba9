// The trace overview above the waterfall: drawn from the whole trace, rebuilt only when the
// layout changes (not on scroll or zoom), drag to zoom, click to go to a row, double-click to
// reset, collapse to rebuild.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, startEnv } from './harness.mjs';

const FANOUT = 'examples/big-fanout.otlp.json';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/**
 * Facts about `#minimap-canvas`: its counters and how many pixels of the overview image show
 * spans (blue shades) or errors (red), as opposed to the background, dimmed or not.
 */
async function minimap(page) {
  return page.evaluate(() => {
    const c = document.querySelector('#minimap-canvas');
    if (!c) return null;
    const num = (name) => (c.hasAttribute(name) ? Number(c.getAttribute(name)) : null);
    const info = {
      renders: num('data-renders'),
      blits: num('data-blits'),
      rows: num('data-rows'),
      imageX: num('data-image-x'),
      imageWidth: num('data-image-width'),
      spanPixels: 0,
      errorPixels: 0,
    };
    if (c.width > 0 && c.height > 0 && info.imageX != null) {
      const scale = c.width / c.getBoundingClientRect().width;
      const x0 = Math.round(info.imageX * scale);
      const w = Math.max(1, Math.min(c.width - x0, Math.round(info.imageWidth * scale)));
      const data = c.getContext('2d').getImageData(x0, 0, w, c.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const [r, b] = [data[i], data[i + 2]];
        if (b - r > 20) info.spanPixels++;
        else if (r - b > 60) info.errorPixels++;
      }
    }
    return info;
  });
}

const scrollTop = (page) => page.evaluate(() => document.querySelector('#waterfall-scroll').scrollTop);
const resetButtons = (page) => page.locator('.reset-zoom').count();

appTest('the minimap shows the trace, blits on scroll, zooms on drag, rebuilds on collapse', () => env, async ({ open }) => {
  const app = await open();
  const page = app.page;
  await page.selectOption('#examples', FANOUT);
  const { spans } = await app.waitForSpans(1000);
  const canvas = await app.waitForCanvas();
  assert.equal(canvas.rows, spans, 'one trace, all rows expanded');

  // Drawn from the whole trace: many span pixels, once rendered, at least once blitted.
  const first = await app.waitFor(
    '#minimap-canvas to be drawn',
    () => minimap(page),
    (m) => m != null && m.renders >= 1 && m.blits >= 1 && m.spanPixels > 500,
  );
  assert.equal(first.rows, spans);

  // Scrolling the waterfall moves the viewport: blitted again, the image is not rebuilt.
  for (const top of [2000, 6000]) {
    const before = await minimap(page);
    await page.evaluate((t) => {
      document.querySelector('#waterfall-scroll').scrollTop = t;
    }, top);
    await app.waitFor(`a blit after scrolling to ${top}`, () => minimap(page), (m) => m.blits > before.blits);
  }
  const scrolled = await minimap(page);
  assert.equal(scrolled.renders, first.renders, 'scrolling rebuilt the minimap image');

  // Dragging across the middle third selects that time range as the zoom window.
  const box = await page.locator('#minimap-canvas').boundingBox();
  const xAt = (f) => box.x + scrolled.imageX + f * scrolled.imageWidth;
  const midY = box.y + box.height / 2;
  assert.equal(await resetButtons(page), 0, 'already zoomed before the drag');
  await page.mouse.move(xAt(0.33), midY);
  await page.mouse.down();
  await page.mouse.move(xAt(0.5), midY, { steps: 5 });
  await page.mouse.move(xAt(0.66), midY, { steps: 5 });
  await page.mouse.up();
  await app.waitFor('Reset zoom to appear after the drag', () => resetButtons(page), (n) => n === 1);
  const zoomed = await app.waitFor('a blit after the zoom', () => minimap(page), (m) => m.blits > scrolled.blits);
  assert.equal(zoomed.renders, first.renders, 'zooming rebuilt the minimap image');

  // Double-click resets the zoom.
  await page.mouse.dblclick(xAt(0.5), midY);
  await app.waitFor('Reset zoom to go after a double-click', () => resetButtons(page), (n) => n === 0);

  // A click near the bottom brings the last rows into view.
  await page.evaluate(() => {
    document.querySelector('#waterfall-scroll').scrollTop = 0;
  });
  await app.waitFor('the waterfall at the top', () => scrollTop(page), (t) => t === 0);
  await page.mouse.click(xAt(0.5), box.y + box.height - 2);
  const maxScroll = await page.evaluate(() => {
    const s = document.querySelector('#waterfall-scroll');
    return s.scrollHeight - s.clientHeight;
  });
  await app.waitFor(
    'the waterfall to scroll to the clicked row',
    () => scrollTop(page),
    (t) => t > 0.8 * maxScroll,
  );
  assert.equal(await resetButtons(page), 0, 'a click on an unzoomed minimap does not zoom');

  // Collapsing changes the rows: the image is rebuilt, from one row.
  const beforeCollapse = await minimap(page);
  await page.click('#collapse-all');
  const collapsed = await app.waitFor(
    'the minimap to be rebuilt after Collapse all',
    () => minimap(page),
    (m) => m.renders > beforeCollapse.renders,
  );
  assert.equal(collapsed.rows, 1);
  assert.ok(collapsed.spanPixels + collapsed.errorPixels > 0, 'the root is still drawn');
});

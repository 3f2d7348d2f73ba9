// The waterfall the way a user works it: drop a file, hover for the tooltip, fold a row,
// move with the keyboard, zoom and reset.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appTest, corpusFile, startEnv } from './harness.mjs';

const HOTROD = corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json');

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** Drops `text` as a file named `name` onto the page, as a drag from the desktop does. */
async function dropFile(page, name, text) {
  await page.evaluate(
    ([fileName, body]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], fileName, { type: 'application/json' }));
      const target = document.querySelector('.app');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    [name, text],
  );
}

appTest('dropping a file onto the page loads it', () => env, async ({ open }) => {
  const app = await open();
  await dropFile(app.page, 'dropped-hotrod.json', readFileSync(HOTROD, 'utf8'));
  await app.waitForSummary('1 trace · 40 spans · 6 services');
  const files = await app.fileInfos();
  assert.match(files.join('\n'), /dropped-hotrod\.json/);
  await app.waitForCanvas({ rows: 40 });
  assert.equal(await app.page.locator('.drop-overlay').count(), 0, 'drop overlay still shown after the drop');
});

appTest('hover shows a tooltip; the triangle folds a subtree; keys move the selection', () => env, async ({ open }) => {
  const app = await open();
  const page = app.page;
  await app.loadFiles([HOTROD]);
  const c = await app.waitForCanvas({ rows: 40 });
  const box = await page.locator('#waterfall-canvas').boundingBox();
  const rowY = (i) => box.y + c.headerHeight + (i + 0.5) * c.rowHeight;

  // Tooltip: service, operation, duration and offset of the hovered span.
  await page.mouse.move(box.x + box.width * 0.7, rowY(0));
  const tooltip = await app.waitFor('#tooltip', () => app.text('#tooltip'), (t) => t && t.length > 0);
  assert.match(tooltip, /frontend/);
  assert.match(tooltip, /GET \/dispatch/);
  assert.match(tooltip, /\d(\.\d+)? (ns|µs|ms|s)/);
  assert.match(tooltip, /at \+0 ns/);
  await page.mouse.move(box.x + box.width * 0.7, box.y - 20);
  await app.waitFor('#tooltip to go', () => page.locator('#tooltip').count(), (n) => n === 0);

  // Row 1 (frontend HTTP GET) has 2 descendants: its triangle folds them away and back.
  await page.mouse.click(box.x + 4 + 14 + 7, rowY(1));
  await app.waitForCanvas({ rows: 38 });
  await page.mouse.click(box.x + 4 + 14 + 7, rowY(1));
  await app.waitForCanvas({ rows: 40 });
  // Collapse all leaves the root only; Expand all brings everything back.
  await page.click('#collapse-all');
  await app.waitForCanvas({ rows: 1, minPixels: 200 });
  await page.click('#expand-all');
  await app.waitForCanvas({ rows: 40 });

  // Keyboard: select the root, ArrowDown selects its first child, ArrowLeft the parent.
  await app.clickRow(0);
  const root = await app.waitFor('#detail', () => app.detail(), (d) => d?.fields?.['Span ID']);
  await page.keyboard.press('ArrowDown');
  const child = await app.waitFor(
    'ArrowDown to select the next row',
    () => app.detail(),
    (d) => d?.fields?.['Span ID'] && d.fields['Span ID'] !== root.fields['Span ID'],
  );
  assert.equal(child.fields.Parent, root.fields['Span ID'], 'the next row is the root\'s first child');
  await page.keyboard.press('ArrowLeft'); // a span with children folds first …
  await app.waitForCanvas({ rows: 38 });
  await page.keyboard.press('ArrowLeft'); // … then goes to its parent
  await app.waitFor('ArrowLeft to select the parent', () => app.detail(), (d) => d?.fields?.['Span ID'] === root.fields['Span ID']);
  await page.keyboard.press('Escape');
  await app.waitFor('Escape to close the detail panel', () => app.detail(), (d) => d == null);

  // Zoom with W, reset with the button.
  await page.keyboard.press('w');
  await app.waitFor('Reset zoom to appear', () => page.locator('.reset-zoom').count(), (n) => n === 1);
  await page.click('.reset-zoom');
  await app.waitFor('Reset zoom to go', () => page.locator('.reset-zoom').count(), (n) => n === 0);
});

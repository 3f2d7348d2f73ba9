// The waterfall as a troubleshooting tool: the critical path, stepping through errors and
// their exceptions, folding to them, self time, and the page's keys.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, DIST_DIR, startEnv } from './harness.mjs';

const CHECKOUT = 'examples/shop-checkout.otlp.json';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** The failed spans of the example, in file order: `{ name, message, exception }`. */
function failedSpans() {
  const file = JSON.parse(readFileSync(join(DIST_DIR, CHECKOUT), 'utf8'));
  const out = [];
  for (const rs of file.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        if (s.status?.code !== 2) continue;
        const ex = (s.events ?? []).find((e) => e.name === 'exception');
        const attr = (k) => ex?.attributes.find((a) => a.key === k)?.value.stringValue;
        out.push({ name: s.name, message: s.status.message, type: attr('exception.type'), stack: attr('exception.stacktrace') });
      }
    }
  }
  return out;
}

const pressed = (app, id) => app.page.getAttribute(id, 'aria-pressed');
const critical = (app) => app.page.getAttribute('#waterfall-canvas', 'data-critical');
const errorBox = (app) => app.page.evaluate(() => {
  const box = document.querySelector('#detail-error');
  return box && {
    status: box.querySelector('.error-status')?.textContent ?? null,
    type: box.querySelector('.exception-type')?.textContent ?? null,
    stack: box.querySelector('.stacktrace')?.textContent ?? null,
  };
});

appTest('the critical path is drawn on the bars, by the button and by the c key', () => env, async ({ open }) => {
  const app = await open(`index.html?url=${CHECKOUT}`);
  const before = await app.waitForCanvas();
  assert.equal(await critical(app), null);
  const picture = () => app.page.evaluate(() => {
    const c = document.getElementById('waterfall-canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 61) h = (h * 31 + d[i]) >>> 0;
    return h;
  });
  const plain = await picture();
  await app.page.click('#critical-path');
  assert.equal(await pressed(app, '#critical-path'), 'true');
  const segments = Number(await app.waitFor('the critical path', () => critical(app), (c) => Number(c) > 0));
  // The path runs from the root down: at least one segment per level it goes through.
  assert.ok(segments >= 2, `${segments} segments`);
  await app.waitFor('the path painted', picture, (p) => p !== plain);
  // c hides it again (from anywhere outside a text field).
  await app.page.locator('body').press('c');
  await app.waitFor('the path hidden', () => critical(app), (c) => c === null);
  assert.equal(await pressed(app, '#critical-path'), 'false');
  assert.equal((await app.canvas()).rows, before.rows);
});

appTest('next and previous error land on failed spans and show their exception first', () => env, async ({ open }) => {
  const failed = failedSpans();
  assert.ok(failed.length >= 2);
  const app = await open(`index.html?url=${CHECKOUT}`);
  await app.waitForCanvas();
  await app.page.click('#collapse-all');
  await app.page.click('#next-error');
  const seen = [];
  for (let i = 0; i < failed.length; i++) {
    const detail = await app.waitFor('a failed span', () => app.detail(), (d) => d != null && !seen.includes(d.fields['Span ID']));
    seen.push(detail.fields['Span ID']);
    assert.match(detail.fields.Status, /^error/);
    const box = await errorBox(app);
    const span = failed.find((f) => f.name === detail.title && f.message === box.status);
    assert.ok(span, `${detail.title}: ${box.status}`);
    if (span.type) {
      assert.equal(box.type, span.type);
      assert.equal(box.stack, span.stack);
    }
    assert.ok(/\d/.test(detail.fields['Self time']), detail.fields['Self time']);
    await app.page.locator('body').press('e');
  }
  // Every failed span was visited once, then it wraps to the first; E goes back.
  const wrapped = await app.waitFor('back at the first', () => app.detail(), (d) => d?.fields['Span ID'] === seen[0]);
  assert.ok(wrapped);
  await app.page.locator('body').press('E');
  await app.waitFor('the last one', () => app.detail(), (d) => d?.fields['Span ID'] === seen[seen.length - 1]);
});

appTest('collapse to errors folds every healthy subtree', () => env, async ({ open }) => {
  const app = await open(`index.html?url=${CHECKOUT}`);
  const all = (await app.waitForCanvas()).rows;
  await app.page.click('#collapse-to-errors');
  const folded = await app.waitFor('folded rows', () => app.canvas().then((c) => c.rows), (r) => r < all);
  // The failed spans and their ancestors stay: at least as many rows as failed spans.
  assert.ok(folded >= failedSpans().length, `${folded} rows`);
});

appTest('keys: / finds, ? lists the shortcuts, j and k move the selection', () => env, async ({ open }) => {
  const app = await open(`index.html?url=${CHECKOUT}`);
  await app.waitForCanvas();
  await app.page.locator('body').press('/');
  assert.equal(await app.page.evaluate(() => document.activeElement?.id), 'search-input');
  await app.page.keyboard.type('cart');
  await app.page.keyboard.press('Escape');
  await app.page.locator('#summary').click();
  await app.page.locator('body').press('?');
  const list = await app.waitFor('the list of shortcuts', () => app.page.locator('#shortcuts th').allTextContents(), (l) => l.length > 5);
  assert.ok(list.includes('e E') && list.includes('c') && list.includes('/'), JSON.stringify(list));
  await app.page.keyboard.press('Escape');
  await app.waitFor('the list closed', () => app.page.locator('#shortcuts').count(), (n) => n === 0);
  await app.clickRow(1);
  const first = await app.waitFor('a selection', () => app.detail(), (d) => d != null);
  await app.page.keyboard.press('j');
  const next = await app.waitFor('the next span', () => app.detail(), (d) => d && d.fields['Span ID'] !== first.fields['Span ID']);
  await app.page.keyboard.press('k');
  await app.waitFor('back', () => app.detail(), (d) => d?.fields['Span ID'] === first.fields['Span ID']);
  assert.ok(next);
});

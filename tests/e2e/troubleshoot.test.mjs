// The waterfall as a troubleshooting tool: the critical path, stepping through errors and
// their exceptions, folding to them, self time, and the page's keys.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, corpusFile, DIST_DIR, startEnv } from './harness.mjs';

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
  // Enter moves to the span's details.
  await app.page.keyboard.press('Enter');
  await app.waitFor('the details focused', () => app.page.evaluate(() => document.activeElement?.id), (id) => id === 'detail');
});

appTest('structured queries match what they say, a malformed one says where, and only matches can be shown', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, CHECKOUT), 'utf8'));
  const spans = file.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
    return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
  });
  const nanos = (s) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano));
  const app = await open(`index.html?url=${CHECKOUT}`);
  const all = (await app.waitForCanvas()).rows;
  const counted = async (query) => {
    await app.page.fill('#search-input', query);
    const text = await app.waitFor(`the count of ${query}`, () => app.text('#search-count'), (t) => /of [\d,]+$|^no matches$/.test(t));
    return text === 'no matches' ? 0 : Number(text.split(' of ')[1].replace(/,/g, ''));
  };
  // service: and duration>, ANDed; negation; error status.
  const service = spans[0].service;
  const slow = spans.filter((s) => s.service === service && nanos(s) > 1e6).length;
  assert.ok(slow > 0);
  assert.equal(await counted(`service:${service} duration>1ms`), slow);
  assert.equal(await counted(`-service:${service}`), spans.filter((s) => s.service !== service).length);
  assert.equal(await counted('error'), spans.filter((s) => s.status?.code === 2).length);
  assert.equal(await app.page.locator('#search-error').count(), 0);
  // Malformed: no matches, and what is wrong where.
  assert.equal(await counted('duration>fast'), 0);
  assert.match(await app.text('#search-error'), /duration.*\b9\b|\b9\b.*duration/);
  assert.equal(await app.page.getAttribute('#search-input', 'aria-invalid'), 'true');
  // Only the matches and their ancestors.
  const errors = await counted('error');
  await app.page.check('#only-matches');
  const shown = await app.waitFor('only the matching rows', () => app.canvas().then((c) => c.rows), (r) => r < all);
  assert.ok(shown >= errors, `${shown} rows for ${errors} matches`);
  await app.page.uncheck('#only-matches');
  await app.waitFor('every row again', () => app.canvas().then((c) => c.rows), (r) => r === all);
});

appTest('a skewed trace says so; adjusting moves the server into its client', () => env, async ({ open }) => {
  const app = await open();
  await app.loadFiles([corpusFile('zipkin2/lens-skew.json')]);
  const rows = (await app.waitForCanvas()).rows;
  await app.waitFor('the skew notice', () => app.page.getAttribute('#skew-notice', 'data-calls').catch(() => null), (n) => Number(n) === 1);
  assert.equal(await app.page.isChecked('#adjust-skew'), false);
  // The server span's panel: before its client (a negative gap), and what adjusting would do.
  let call = null;
  for (let i = 0; i < rows && !call; i++) {
    await app.clickRow(i);
    call = await app.page.evaluate(() => {
      const d = document.querySelector('#detail-call');
      return d && d.querySelector('.skew') ? d.textContent : null;
    });
  }
  assert.ok(call, 'a span of the skewed call');
  assert.match(call, /Before the server\s*−/);
  assert.match(call, /adjusting would move it by/);
  const before = await app.page.evaluate(() => document.getElementById('waterfall-canvas').toDataURL());
  await app.page.check('#adjust-skew');
  await app.waitFor('the adjusted panel', () => app.page.textContent('#detail-call'), (t) => /shown moved by/.test(t));
  assert.doesNotMatch(await app.page.textContent('#detail-call'), /Before the server\s*−/);
  await app.waitFor('the bars moved', () => app.page.evaluate(() => document.getElementById('waterfall-canvas').toDataURL()), (u) => u !== before);
});

appTest('folding to a depth or short spans, the names column resized, and events in the tooltip', () => env, async ({ open }) => {
  const file = JSON.parse(readFileSync(join(DIST_DIR, CHECKOUT), 'utf8'));
  const spans = file.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const parent = new Map(spans.map((s) => [s.spanId, s.parentSpanId || null]));
  const depth = (s) => {
    let d = 0;
    for (let p = parent.get(s.spanId); p && parent.has(p); p = parent.get(p)) d++;
    return d;
  };
  const app = await open(`index.html?url=${CHECKOUT}`);
  const all = (await app.waitForCanvas()).rows;
  const rows = () => app.canvas().then((c) => c.rows);
  await app.page.selectOption('#fold', 'depth:2');
  const twoLevels = spans.filter((s) => depth(s) < 2).length;
  await app.waitFor('two levels', rows, (r) => r === twoLevels);
  assert.equal(await app.page.inputValue('#fold'), '', 'the select goes back to its title');
  await app.page.click('#expand-all');
  await app.waitFor('every row', rows, (r) => r === all);
  await app.page.selectOption('#fold', 'shorter:10000000');
  await app.waitFor('short spans folded', rows, (r) => r < all && r > twoLevels);
  // The names column: ← / → on its edge, remembered after a reload.
  const width = () => app.page.getAttribute('#label-resizer', 'aria-valuenow').then(Number);
  const before = await width();
  await app.page.focus('#label-resizer');
  await app.page.keyboard.press('ArrowRight');
  await app.page.keyboard.press('ArrowRight');
  await app.waitFor('a wider column', width, (w) => w === before + 32);
  await app.waitFor('drawn wider', () => app.page.getAttribute('#waterfall-canvas', 'data-label-width').then(Number), (w) => w === before + 32);
  await app.page.reload();
  await app.waitForCanvas();
  assert.equal(await width(), before + 32);
  // The root has an exception event: a tick on its bar, listed in the tooltip.
  const c = await app.canvas();
  const box = await app.page.locator('#waterfall-canvas').boundingBox();
  await app.page.mouse.move(box.x + box.width * 0.6, box.y + c.headerHeight + c.rowHeight / 2);
  const events = await app.waitFor('the events in the tooltip', () => app.page.locator('#tooltip .tt-events li').allTextContents(), (l) => l.length > 0);
  const root = spans.find((s) => !s.parentSpanId);
  assert.ok(events.some((e) => e.startsWith(`${root.events[0].name} at +`)), JSON.stringify(events));
});

// Deep links: the URL keeps the trace, the span, the zoom window, the search and the view;
// a copied link reopens that view in a fresh page, and back and forward step through
// selections.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

const fragment = (app) => new URL(app.page.url()).hash;
const param = (app, key) => new URLSearchParams(fragment(app).slice(1)).get(key);

appTest('a copied link reopens the same trace, span, zoom and search in a fresh page', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json');
  await app.waitForCanvas();
  // Another trace, a span of it, a search, a zoom.
  const rows = await app.traceRows();
  await app.page.click('#trace-list tr.trace-row:nth-child(3)');
  await app.waitFor('the third trace', () => app.traceRows(), (r) => r[2].selected);
  await app.waitForCanvas();
  await app.page.fill('#search-input', 'service:frontend');
  await app.waitFor('matches', () => app.text('#search-count'), (t) => /of/.test(t));
  await app.clickRow(2);
  const detail = await app.waitFor('a span', () => app.detail(), (d) => d != null);
  await app.page.locator('#waterfall-scroll').focus();
  await app.page.keyboard.press('w');
  await app.page.keyboard.press('w');
  await app.waitFor('the zoom in the URL', () => param(app, 't'), (t) => t != null);
  assert.equal(param(app, 'trace'), rows[2].traceId);
  assert.equal(param(app, 'span'), detail.fields['Span ID']);
  assert.equal(param(app, 'q'), 'service:frontend');
  await app.page.click('#copy-link');
  assert.equal(await app.page.textContent('#copy-link'), 'Link copied');
  // A fresh page from the link.
  const link = app.page.url();
  const fresh = await open(link.replace(/^.*\/spanorama\//, ''));
  await fresh.waitForCanvas();
  const again = await fresh.waitFor('the span of the link', () => fresh.detail(), (d) => d != null);
  assert.equal(again.fields['Span ID'], detail.fields['Span ID']);
  assert.ok((await fresh.traceRows())[2].selected);
  assert.equal(await fresh.page.inputValue('#search-input'), 'service:frontend');
  assert.equal(param(fresh, 't'), param(app, 't'));
  assert.equal(fragment(fresh), fragment(app));
});

appTest('back and forward step through the traces and spans chosen', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json');
  await app.waitForCanvas();
  const rows = await app.traceRows();
  const first = param(app, 'trace');
  assert.equal(first, rows[0].traceId);
  await app.page.click('#trace-list tr.trace-row:nth-child(2)');
  await app.waitFor('the second trace in the URL', () => param(app, 'trace'), (t) => t === rows[1].traceId);
  await app.clickRow(1);
  const span = await app.waitFor('a span in the URL', () => param(app, 'span'), (s) => s != null);
  await app.page.goBack();
  await app.waitFor('no span', () => app.detail(), (d) => d == null);
  assert.equal(param(app, 'trace'), rows[1].traceId);
  await app.page.goBack();
  await app.waitFor('the first trace again', () => app.traceRows(), (r) => r[0].selected);
  await app.page.goForward();
  await app.waitFor('the second trace again', () => app.traceRows(), (r) => r[1].selected);
  await app.page.goForward();
  const detail = await app.waitFor('the span again', () => app.detail(), (d) => d != null);
  assert.equal(detail.fields['Span ID'], span);
});

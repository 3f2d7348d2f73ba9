// Loading trace files through the file input, the waterfall, span selection and the trace list.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, corpusFile, otlpFacts, startEnv } from './harness.mjs';

const HOTROD = corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json');
const MEMORY = corpusFile('otlp/jaeger-memory-otel_traces_01.json');

const DETAIL_LABELS = ['Trace ID', 'Span ID', 'Parent', 'Service', 'Operation', 'Kind', 'Start', 'Offset', 'Duration', 'Status'];

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

appTest('before loading, the summary shows no spans and the trace list is hidden', () => env, async ({ open }) => {
  const app = await open();
  const summary = await app.summary();
  assert.ok(summary.length > 0, '#summary is empty');
  assert.doesNotMatch(summary, /\d[\d,]* spans?\b/, `summary before loading: ${summary}`);
  assert.equal(await app.page.locator('#trace-list').isVisible(), false, '#trace-list visible with nothing loaded');
  assert.equal(await app.page.locator('#messages .message.error').count(), 0, 'errors before loading anything');
});

appTest('load a file, select a span, add a second file, switch traces', () => env, async ({ open }) => {
  const app = await open();

  const hotrod = otlpFacts(HOTROD);
  assert.equal(hotrod.spans.length, 40, 'the corpus file changed');
  const root = hotrod.spans.find((s) => !s.parentSpanId);

  // One file: 1 trace, 40 spans, 6 services.
  await app.loadFiles([HOTROD]);
  const summary = await app.waitForSummary('1 trace · 40 spans · 6 services');
  assert.match(summary, /loaded in/, `summary: ${summary}`);

  const canvas = await app.waitForCanvas({ rows: 40 });
  assert.ok(canvas.draws >= 1, `data-draws=${canvas.draws}`);
  // Drawn once, at its laid-out size, and its overview counted once (not first at a
  // default size and again when the layout settled).
  await app.page.waitForTimeout(300);
  const settled = await app.drawFacts();
  assert.equal(settled.draws, '1', `the first trace was drawn more than once: ${JSON.stringify(settled)}`);
  assert.equal(settled.minimapRenders, '1', `the overview was built more than once: ${JSON.stringify(settled)}`);
  assert.deepEqual(settled.backing, settled.laidOut, 'canvas backing store is not the laid-out size');
  assert.ok(canvas.differing >= 5000, `only ${canvas.differing} drawn pixels`);
  assert.ok(canvas.rowHeight > 0 && canvas.headerHeight >= 0, `row/header height: ${JSON.stringify(canvas)}`);

  const files = await app.fileInfos();
  assert.equal(files.length, 1, `#files: ${JSON.stringify(files)}`);
  assert.match(files[0], /jaeger-pr9263-hotrod-n_plus_one_full_serial\.json/);
  assert.match(files[0], /OTLP JSON/);
  assert.match(files[0], /(?:^|\D)40 spans?\b/);
  assert.equal(await app.page.locator('#trace-list').isVisible(), false, '#trace-list visible with 1 trace');

  // Row 0 is the root span.
  await app.clickRow(0);
  const detail = await app.waitFor('#detail to show a span', () => app.detail(), (d) => d != null && d.title !== '');
  for (const label of DETAIL_LABELS) {
    assert.ok(label in detail.fields, `#detail has no "${label}" (has ${Object.keys(detail.fields).join(', ')})`);
  }
  assert.match(detail.fields['Span ID'], /^[0-9a-f]{16}$/);
  assert.equal(detail.fields['Span ID'], root.spanId, 'row 0 is not the root span');
  assert.match(detail.fields['Trace ID'], /^[0-9a-f]{32}$/);
  assert.equal(detail.fields['Trace ID'], root.traceId);
  assert.ok(detail.title.includes(root.name), `title "${detail.title}" lacks the operation "${root.name}"`);
  assert.match(detail.fields.Operation, new RegExp(root.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  assert.match(detail.fields.Service, new RegExp(root.service));

  // A second file adds 2 traces of 2 spans each.
  await app.loadFiles([MEMORY]);
  await app.waitForSummary(/^3 traces · 44 spans · /);
  const files2 = await app.fileInfos();
  assert.equal(files2.length, 2, `#files: ${JSON.stringify(files2)}`);
  assert.match(files2.join('\n'), /jaeger-memory-otel_traces_01\.json/);

  const rows = await app.waitFor('#trace-list with 3 rows', () => app.traceRows(), (r) => r.length === 3);
  for (const r of rows) assert.match(r.traceId ?? '', /^[0-9a-f]{32}$/, `data-trace-id: ${r.traceId}`);
  assert.equal(new Set(rows.map((r) => r.traceId)).size, 3, 'duplicate data-trace-id');
  const expected = new Set([...hotrod.spansByTrace.keys(), ...otlpFacts(MEMORY).spansByTrace.keys()]);
  assert.deepEqual(new Set(rows.map((r) => r.traceId)), expected);
  assert.equal(rows.filter((r) => r.selected).length, 1, `selected rows: ${JSON.stringify(rows)}`);

  // Click a row whose trace has a different number of spans than the one shown now.
  const spanCounts = new Map([...hotrod.spansByTrace, ...otlpFacts(MEMORY).spansByTrace]);
  const before = await app.waitForCanvas();
  const target = rows.find((r) => !r.selected && spanCounts.get(r.traceId) !== before.rows);
  assert.ok(target, `no row to switch to: rows=${JSON.stringify(rows)}, data-rows=${before.rows}`);
  await app.page.locator(`#trace-list tr.trace-row[data-trace-id="${target.traceId}"]`).click();
  await app.waitFor(
    'the clicked trace row to be selected',
    () => app.traceRows(),
    (r) => r.some((x) => x.traceId === target.traceId && x.selected) && r.filter((x) => x.selected).length === 1,
  );
  const afterClick = await app.waitFor(
    'data-rows to change after selecting another trace',
    () => app.canvas(),
    (c) => c != null && c.rows !== before.rows,
  );
  assert.ok(afterClick.rows >= 1, `data-rows=${afterClick.rows}`);
  await app.waitForCanvas({ rows: afterClick.rows, minPixels: 500 });
});

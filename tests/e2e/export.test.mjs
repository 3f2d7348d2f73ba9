// Download OTLP: the selected trace, or everything loaded, is written as OpenTelemetry OTLP
// JSON by the page and downloaded; the file reads back (in a fresh page) as the same trace.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appTest, corpusFile, otlpFacts, parseSummary, startEnv } from './harness.mjs';

let env;
let dir;
before(async () => {
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'spanorama-export-'));
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Clicks `selector` and saves the download it starts; returns the path and suggested name. */
async function download(app, selector, name) {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.click(selector)]);
  const path = join(dir, name);
  await dl.saveAs(path);
  return { path, suggested: dl.suggestedFilename() };
}

appTest('the selected trace of a Jaeger file downloads as OTLP and reads back the same', () => env, async ({ open }) => {
  const app = await open();
  await app.loadFiles([corpusFile('jaeger/jaegerui-genaiTestTrace.json')]);
  await app.waitForSpans();
  await app.waitForCanvas();
  const shown = parseSummary(await app.summary());
  const facts = await app.text('.trace-facts');
  const { path, suggested } = await download(app, '#export-trace', 'trace.otlp.json');
  assert.match(suggested, /^trace-[0-9a-f]{16,32}\.otlp\.json$/);
  const otlp = otlpFacts(path);
  // The selected trace: all its spans, one trace id, every service named in the resource.
  assert.equal(otlp.spansByTrace.size, 1, JSON.stringify([...otlp.spansByTrace]));
  assert.match(facts, new RegExp(`\\b${otlp.spans.length} spans?\\b`), facts);
  assert.ok(otlp.services.size >= 1);
  for (const s of otlp.spans) {
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.match(s.startTimeUnixNano, /^\d+$/);
  }
  // A fresh page reads the download as OTLP JSON with the same figures.
  const again = await open();
  await again.loadFiles([path]);
  await again.waitForSpans();
  const infos = await again.waitFor('the file listed', () => again.fileInfos(), (f) => f.length === 1);
  assert.ok(infos[0].includes('OTLP JSON'), infos[0]);
  const back = parseSummary(await again.summary());
  assert.equal(back.spans, otlp.spans.length);
  assert.ok(back.services <= shown.services);
  assert.equal(await again.text('.trace-facts'), facts);
  assert.deepEqual(await again.messages('error'), []);
});

appTest('everything loaded, from files of several formats, downloads as one OTLP file', () => env, async ({ open }) => {
  const app = await open();
  await app.loadFiles([
    corpusFile('xray/contrib-ddbSample-nested-fault.json'),
    corpusFile('datadog/ddpy-django-asgi-500.json'),
    corpusFile('zipkin1/otelcol-zipkin_v1_single_batch.json'),
  ]);
  // 18 + 30 + 5 spans, one trace per file (tests/corpus.rs has the figures).
  await app.waitForSummary('3 traces · 53 spans');
  const before = parseSummary(await app.summary());
  const { path, suggested } = await download(app, '#export-all', 'all.otlp.json');
  assert.equal(suggested, 'spanorama-export.otlp.json');
  const otlp = otlpFacts(path);
  assert.equal(otlp.spans.length, 53);
  assert.equal(otlp.spansByTrace.size, 3);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(Array.isArray(doc.resourceSpans) && doc.resourceSpans.length >= 3);

  const again = await open();
  await again.loadFiles([path]);
  await again.waitForSummary('3 traces · 53 spans');
  assert.equal(parseSummary(await again.summary()).services, before.services);
  // The button is usable again once the file is written.
  assert.equal(await app.page.locator('#export-all').isDisabled(), false);
});

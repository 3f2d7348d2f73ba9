// Every format from one drop target: files of several formats given at once (one of them
// gzip-compressed), each listed with its detected format and counts; spans of one request
// exported by two systems in two formats merge into one trace.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appTest, corpusFile, startEnv } from './harness.mjs';

let env;
let dir;
before(async () => {
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'spanorama-formats-'));
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

appTest('files of six formats load together, each listed with its format and counts', () => env, async ({ open }) => {
  const app = await open();
  // The gzip file is named without `.gz`: detection is by content (the magic bytes).
  const hotrodGz = join(dir, 'hotrod-export.json');
  writeFileSync(hotrodGz, gzipSync(readFileSync(corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json'))));
  const files = [
    hotrodGz,
    corpusFile('xray/contrib-ddbSample-nested-fault.json'),
    corpusFile('datadog/ddpy-django-asgi-500.json'),
    corpusFile('zipkin1/otelcol-zipkin_v1_single_batch.json'),
    corpusFile('newrelic/nr-java-sdk-integrationtest-payload.json'),
    corpusFile('jaeger-proto/jaeger-integration-v1-example_trace.json'),
  ];
  await app.loadFiles(files);
  // 40 + 18 + 30 + 5 + 1 + 5 spans, one trace per file (tests/corpus.rs has the figures).
  await app.waitForSummary('6 traces · 99 spans');
  const infos = await app.waitFor('six files listed', () => app.fileInfos(), (f) => f.length === 6);
  const expect = [
    ['hotrod-export.json', 'OTLP JSON', 40],
    ['contrib-ddbSample-nested-fault.json', 'AWS X-Ray JSON', 18],
    ['ddpy-django-asgi-500.json', 'Datadog JSON', 30],
    ['otelcol-zipkin_v1_single_batch.json', 'Zipkin v1 JSON', 5],
    ['nr-java-sdk-integrationtest-payload.json', 'New Relic JSON', 1],
    ['jaeger-integration-v1-example_trace.json', 'Jaeger api_v2 protobuf-JSON', 5],
  ];
  for (const [name, format, spans] of expect) {
    const info = infos.find((i) => i.includes(name));
    assert.ok(info, `${name} listed: ${JSON.stringify(infos)}`);
    assert.ok(info.includes(format), `${name} detected as ${format}: ${info}`);
    assert.match(info, new RegExp(`\\b1 trace · ${spans} spans?\\b`), `${name} counts: ${info}`);
  }
  assert.deepEqual(await app.messages('error'), []);
  await app.waitForCanvas();
});

appTest('one request exported by OpenTelemetry and by Zipkin is one trace', () => env, async ({ open }) => {
  const app = await open();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const start = 1_715_679_000_000_000; // µs
  const otlp = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }] },
      scopeSpans: [{
        spans: [{
          traceId, spanId: '00f067aa0ba902b7', name: 'GET /checkout', kind: 2,
          startTimeUnixNano: String(start * 1000), endTimeUnixNano: String((start + 50_000) * 1000),
        }],
      }],
    }],
  };
  const zipkin = [{
    traceId, id: '53995c3f42cd8ad8', parentId: '00f067aa0ba902b7', name: 'charge', kind: 'SERVER',
    timestamp: start + 10_000, duration: 30_000, localEndpoint: { serviceName: 'payment' },
  }];
  const a = join(dir, 'frontend.otlp.json');
  const b = join(dir, 'payment.zipkin.json');
  writeFileSync(a, JSON.stringify(otlp));
  writeFileSync(b, JSON.stringify(zipkin));
  await app.loadFiles([a, b]);
  await app.waitForSummary('1 trace · 2 spans · 2 services');
  const infos = await app.waitFor('two files listed', () => app.fileInfos(), (f) => f.length === 2);
  assert.ok(infos.some((i) => i.includes('frontend.otlp.json') && i.includes('OTLP JSON')), JSON.stringify(infos));
  assert.ok(infos.some((i) => i.includes('payment.zipkin.json') && i.includes('Zipkin v2 JSON')), JSON.stringify(infos));
  await app.waitForCanvas({ rows: 2 });
  // The Zipkin span is the OTLP span's child: row 1, one level in.
  await app.clickRow(1);
  const detail = await app.waitFor('the child span in #detail', () => app.detail(), (d) => d?.fields?.Service === 'payment');
  assert.equal(detail.fields.Parent?.slice(0, 16), '00f067aa0ba902b7', JSON.stringify(detail.fields));
});

appTest('dependency files load as dependency links, beside traces', () => env, async ({ open }) => {
  const app = await open();
  // Jaeger's dependency links (7 links between 8 services) and an X-Ray trace.
  await app.loadFiles([corpusFile('jaeger-deps/jaegerui-deps-small.json')]);
  await app.waitForSummary(/^7 dependency links · loaded in/);
  const [info] = await app.waitFor('the file listed', () => app.fileInfos(), (f) => f.length === 1);
  assert.match(info, /Jaeger dependency links/);
  assert.match(info, /\b7 dependency links\b/);
  await app.loadFiles([corpusFile('xray/contrib-ddbSample-nested-fault.json')]);
  await app.waitForSummary(/^1 trace · 18 spans · \d+ services? · 7 dependency links/);
  assert.deepEqual(await app.messages('error'), []);
  await app.waitForCanvas();
});

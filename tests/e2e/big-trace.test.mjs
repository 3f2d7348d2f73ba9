// A big trace through the file input, the way a user with a 100k-span batch job works: the
// page must stay responsive while the import worker reads, parses and builds the tree, show
// progress, and be cancellable without losing what was loaded before.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { appTest, REPO_ROOT, startEnv } from './harness.mjs';

const SPANS = 100_000;
const DATA_DIR = resolve(REPO_ROOT, 'target', 'e2e-data');

/** A fingerprint of the generator's sources: a changed generator makes a new file. */
function generatorHash() {
  const hash = createHash('sha256');
  const dir = resolve(REPO_ROOT, 'crates', 'gen', 'src');
  for (const f of readdirSync(dir).sort().map((n) => resolve(dir, n))) {
    hash.update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 12);
}
const BIG = resolve(DATA_DIR, `otlp-${SPANS}-${generatorHash()}.json`);

const BIG_GZ = `${BIG}.gz`;

/**
 * Spans of a trace big enough that the waterfall's first draw gets a task of its own (more
 * than `SEPARATE_FIRST_DRAW_SPANS` in src/ui/waterfall/draw.rs).
 */
const HUGE_SPANS = 260_000;
const HUGE = resolve(DATA_DIR, `zipkin-${HUGE_SPANS}-${generatorHash()}.json`);

/**
 * Writes the 100k-span OTLP file with the repo's generator (cargo builds it if needed), and
 * a gzip copy of it.
 */
function generateBigFile() {
  if (!existsSync(BIG) || statSync(BIG).size < 10_000_000) {
    mkdirSync(DATA_DIR, { recursive: true });
    execFileSync(
      'cargo',
      ['run', '--quiet', '-p', 'spanorama-gen', '--', '--format', 'otlp', '--traces', '1',
        '--spans', String(SPANS), '--seed', '7', '--out', BIG],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  if (!existsSync(BIG_GZ) || statSync(BIG_GZ).mtimeMs < statSync(BIG).mtimeMs) {
    writeFileSync(BIG_GZ, gzipSync(readFileSync(BIG), { level: 1 }));
  }
  if (!existsSync(HUGE) || statSync(HUGE).size < 100_000_000) {
    execFileSync(
      'cargo',
      ['run', '--quiet', '-p', 'spanorama-gen', '--', '--format', 'zipkin', '--traces', '1',
        '--spans', String(HUGE_SPANS), '--seed', '7', '--out', HUGE],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
}

/**
 * How many spans of the big file Spanorama's search should find for `query`: those whose
 * service, name, status message, scope name, attribute keys or string values (span,
 * resource, event), event names or span id contain it, ignoring ASCII case.
 */
function expectedMatches(query) {
  const doc = JSON.parse(readFileSync(BIG, 'utf8'));
  const q = query.toLowerCase();
  const has = (t) => typeof t === 'string' && t.toLowerCase().includes(q);
  const valueHas = (v) => v != null && (has(v.stringValue) || (v.arrayValue?.values ?? []).some(valueHas));
  const attrsHit = (attrs) => (attrs ?? []).some((a) => has(a.key) || valueHas(a.value));
  let n = 0;
  for (const rs of doc.resourceSpans) {
    const resourceHit = attrsHit(rs.resource?.attributes);
    for (const ss of rs.scopeSpans) {
      const scopeHit = resourceHit || has(ss.scope?.name);
      for (const span of ss.spans) {
        const hit =
          scopeHit ||
          has(span.name) ||
          has(span.status?.message) ||
          attrsHit(span.attributes) ||
          (span.events ?? []).some((e) => has(e.name) || attrsHit(e.attributes)) ||
          (q.length >= 4 && /^[0-9a-f]+$/.test(q) && span.spanId.toLowerCase().includes(q));
        if (hit) n += 1;
      }
    }
  }
  return n;
}

let env;
before(async () => {
  generateBigFile();
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** Starts a requestAnimationFrame heartbeat in the page; `stopHeartbeat` returns the gaps. */
async function startHeartbeat(page) {
  await page.evaluate(() => {
    window.__beat = { gaps: [], last: performance.now(), running: true };
    const beat = (t) => {
      const b = window.__beat;
      b.gaps.push(t - b.last);
      b.last = t;
      if (b.running) requestAnimationFrame(beat);
    };
    requestAnimationFrame(beat);
  });
}

async function stopHeartbeat(page) {
  return page.evaluate(() => {
    window.__beat.running = false;
    return window.__beat.gaps;
  });
}

appTest(`a ${SPANS.toLocaleString('en-US')}-span file loads with progress while the page keeps drawing frames`, () => env, async ({ open }) => {
  const app = await open();
  await startHeartbeat(app.page);
  await app.page.setInputFiles('#file-input', BIG);
  // Progress is shown while the worker works (it may be brief on a fast machine, so accept
  // having missed it only if the load is already done).
  const progress = await app.page.waitForFunction(
    () => {
      const l = document.getElementById('loading');
      if (l) return l.textContent;
      return /100,000 spans/.test(document.getElementById('summary')?.textContent ?? '') ? 'done' : null;
    },
    null,
    { polling: 'raf', timeout: 60_000 },
  );
  const text = await progress.jsonValue();
  if (text !== 'done') {
    assert.match(text, /otlp-100000-\w+\.json/, `progress names the file: ${text}`);
    assert.match(text, /starting|reading|parsing|building|handing over/, `progress says what is happening: ${text}`);
    assert.equal(await app.page.locator('#cancel-load').count(), 1, 'a Cancel button while loading');
  }
  await app.waitFor('the 100,000 spans in the summary', () => app.summary(), (s) => /\b1 trace · 100,000 spans\b/.test(s), { timeout: 120_000 });
  await app.waitForCanvas();
  const gaps = await stopHeartbeat(app.page);
  const worst = Math.max(...gaps);
  assert.ok(gaps.length > 10, `the heartbeat ran (${gaps.length} frames)`);
  assert.ok(worst < 200, `the page stopped drawing frames for ${worst.toFixed(0)} ms during the load (limit 200 ms)`);
  assert.deepEqual(await app.messages('error'), []);

  // The file was parsed while read, and the bytes parsed dropped as it went: the worker
  // never held the 71 MB file whole (it holds the model), so it stays and is not replaced.
  const stats = await app.page.evaluate(() => window.spanoramaStats());
  assert.ok(stats.workerWasmBytes < 64 * 2 ** 20, `worker memory after the load: ${stats.workerWasmBytes}`);

  // Searching a trace this big shows the first match at once and counts the rest in steps;
  // the count is the number of spans that contain the text in the file.
  for (const query of ['postgres', 'PAYMENT']) {
    const expected = expectedMatches(query);
    assert.ok(expected > 1000, `${query}: ${expected} spans in the file`);
    await app.page.fill('#search-input', query);
    await app.waitFor(`all matches of ${query} counted`, () => app.page.textContent('#search-count'), (t) => /^1 of [\d,]+$/.test(t));
    const count = Number((await app.page.textContent('#search-count')).replace(/^1 of /, '').replace(/,/g, ''));
    assert.equal(count, expected, `${query}: matches counted`);
    assert.ok(await app.page.locator('#detail .detail-title').count() === 1, 'the first match is selected');
    await app.page.press('#search-input', 'Enter');
    await app.waitFor('the next match', () => app.page.textContent('#search-count'), (t) => t === `2 of ${count.toLocaleString('en-US')}`);
  }
  await app.page.fill('#search-input', '');

  await app.page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitFor('both files loaded', () => app.fileInfos(), (f) => f.length === 2);
  const after = await app.summary();
  assert.match(after, /^2 traces · 100,\d{3} spans/, `the next file merges with the big one: ${after}`);
  assert.deepEqual(await app.messages('error'), []);
});

appTest('a big gzip file is read whole; the worker that grew is replaced later, and the next file still merges', () => env, async ({ open }) => {
  const app = await open();
  await app.page.setInputFiles('#file-input', BIG_GZ);
  await app.waitFor('the 100,000 spans in the summary', () => app.summary(), (s) => /\b1 trace · 100,000 spans\b/.test(s), { timeout: 120_000 });
  assert.deepEqual(await app.messages('error'), []);
  // The worker's memory grew past 96 MB for this file (compressed and decompressed bytes
  // held at once): it is replaced by a fresh one (wasm memory never shrinks) once the page
  // has shown the trace (2 s later), which is seeded with the page's model when the next
  // file comes.
  const stats = await app.page.evaluate(() => window.spanoramaStats());
  assert.ok(stats.workerWasmBytes > 96 * 2 ** 20, `worker memory during the load: ${stats.workerWasmBytes}`);
  assert.equal(stats.workerRecycles, 0, 'the grown worker is not replaced while the page shows the trace');
  await app.waitFor('the grown worker replaced', () => app.page.evaluate(() => window.spanoramaStats().workerRecycles), (n) => n === 1, { timeout: 10_000 });
  await app.page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitFor('both files loaded', () => app.fileInfos(), (f) => f.length === 2);
  assert.match(await app.summary(), /^2 traces · 100,\d{3} spans/, 'the next file merges with the big one');
  assert.deepEqual(await app.messages('error'), []);
});

appTest('a big file broken two thirds in is read again whole: the error says where, and what was loaded stays', () => env, async ({ open }) => {
  // The import drops the bytes it has parsed while the file is read; a syntax error past
  // them stops streaming, and the worker reads the file again to report it as a whole read
  // would.
  const bytes = readFileSync(BIG);
  const at = bytes.indexOf(',', Math.floor((bytes.length * 2) / 3));
  bytes[at] = ';'.charCodeAt(0);
  const broken = resolve(DATA_DIR, 'broken-two-thirds.json');
  writeFileSync(broken, bytes);
  const lineStart = bytes.lastIndexOf('\n', at) + 1;
  const line = 1 + bytes.subarray(0, at).filter((b) => b === 10).length;
  const column = at - lineStart + 1;

  const app = await open();
  await app.page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitForSpans(1);
  const before = await app.summary();
  await app.page.setInputFiles('#file-input', broken);
  const msg = await app.waitForMessage(/broken-two-thirds\.json/);
  assert.match(msg, new RegExp(`^broken-two-thirds\\.json: OTLP JSON: expected \`,\` or \`[}\\]]\` at line ${line} column ${column}\\b`), `message: ${msg}`);
  assert.equal(await app.summary(), before, 'what was loaded before stays');
});

appTest('Cancel stops a big load at once; what was loaded stays, and the next load adds to it', () => env, async ({ open }) => {
  const app = await open();
  await app.page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitForSpans(1);
  const before = await app.summary();
  const spansBefore = Number(/(\d[\d,]*) spans/.exec(before)[1].replace(/,/g, ''));

  await app.page.setInputFiles('#file-input', BIG);
  // Cancel as soon as the button shows (a fast machine loads the file in well under a second,
  // and a click that waits for the button to be stable could come after the load).
  await app.page.waitForFunction(
    () => {
      const button = document.getElementById('cancel-load');
      button?.click();
      return button != null;
    },
    null,
    { polling: 'raf', timeout: 30_000 },
  );
  await app.page.waitForSelector('#loading', { state: 'detached', timeout: 1_000 });
  assert.equal(await app.summary(), before, 'the summary still shows what was loaded before');
  assert.deepEqual(await app.messages('error'), []);

  // A fresh worker takes over, seeded with the model the page shows: the next file merges.
  await app.page.selectOption('#examples', 'examples/shop-traces.jaeger.json');
  await app.waitFor('both files loaded', () => app.fileInfos(), (f) => f.length === 2);
  const after = await app.summary();
  const spansAfter = Number(/(\d[\d,]*) spans/.exec(after)[1].replace(/,/g, ''));
  assert.ok(spansAfter > spansBefore, `spans after the second file: ${after} (before: ${before})`);
  await app.waitForCanvas();
});

appTest('a file beyond what a browser tab can hold is refused up front, naming the limit', () => env, async ({ open }) => {
  // A sparse 2 GB file: nothing is written to disk, and nothing should be read from it.
  const huge = resolve(DATA_DIR, 'huge-2g.json');
  if (!existsSync(huge) || statSync(huge).size !== 2 * 1024 ** 3) {
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
  }
  const app = await open();
  await app.page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitForSpans(1);
  const before = await app.summary();
  await app.page.setInputFiles('#file-input', huge);
  const msg = await app.waitForMessage(/huge-2g\.json/);
  assert.match(msg, /^huge-2g\.json: the file is 2,?147 MB, more than the 1,?611 MB/, msg);
  assert.match(msg, /[Ss]plit/, `the message says what to do: ${msg}`);
  assert.equal(await app.summary(), before, 'what was loaded stays');
  await app.page.waitForSelector('#loading', { state: 'detached' });
});

appTest(`a ${HUGE_SPANS.toLocaleString('en-US')}-span trace (its first draw put off to a task of its own) is drawn at its laid-out size, again only for its error marks`, () => env, async ({ open }) => {
  const app = await open();
  await startHeartbeat(app.page);
  await app.page.setInputFiles('#file-input', HUGE);
  const want = `1 trace · ${HUGE_SPANS.toLocaleString('en-US')} spans`;
  await app.waitFor(`"${want}" in the summary`, () => app.summary(), (s) => s.includes(want), { timeout: 120_000 });
  // The first draw of so big a trace is put off to a task of its own: it must still come,
  // once, at the laid-out size. One more comes when the marks of the rows with failed spans
  // under them are ready: a trace this big has them counted in steps after it shows.
  const canvas = await app.waitForCanvas({ rows: HUGE_SPANS });
  await app.page.waitForTimeout(500);
  const settled = await app.drawFacts();
  assert.ok(['1', '2'].includes(settled.draws), `drawn more than twice: ${JSON.stringify(settled)}`);
  assert.deepEqual(settled.backing, settled.laidOut, 'canvas backing store is not the laid-out size');
  assert.ok(canvas.differing >= 2000, `only ${canvas.differing} drawn pixels`);
  const gaps = await stopHeartbeat(app.page);
  assert.ok(Math.max(...gaps) < 200, `a frame gap of ${Math.round(Math.max(...gaps))} ms during the load`);
  assert.deepEqual(await app.messages('error'), []);
});

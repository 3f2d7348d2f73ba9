// Browser benchmark of Spanorama: for each generated file (format × size) it opens the built
// site in headless Chromium and measures, in one page:
//
//   parse     JSON.parse of the same file's text, in a blank page with no other page open (the
//             file is read first, not timed): the floor any JavaScript viewer pays
//   load      file given to the page (the file input fires `change`) → the end of the first
//             frame that shows the drawn waterfall (canvas data-draws > 0, loading bar gone), ms
//   ratio     load / parse (files up to 200 MB are measured BENCH_REPEAT times, default 3,
//             files up to 20 MB BENCH_REPEAT_SMALL times, default 7, parse and load
//             interleaved: the medians, and the ratio of each run)
//   block     the longest main-thread task during the load (PerformanceObserver longtask),
//             and the longest gap between animation frames (a rAF heartbeat)
//   frames    a scripted scroll, zoom (Ctrl+wheel) and pan (Shift+wheel) over the loaded
//             trace, one input per frame: median and p95 of the frame intervals, and of the
//             page's own draw measure (performance "spanorama:draw")
//   graph     the service graph tab clicked → its tables shown, ms, and the longest
//             main-thread task meanwhile (0: none over 50 ms)
//   memory    the page's wasm memory and JS heap after the load, and bytes per span
//             (page wasm memory / spans, and what the load added to it / spans: the app's
//             own ~2.5 MB weigh on the first at 10k); the worker's wasm memory too (it keeps
//             the merged model for the next file)
//
// Run through tools/bench.sh (it builds the site and generates the files). Input:
//   BENCH_FILES  comma-separated `format:size:path` entries
//   SPANORAMA_DIST as for the e2e tests
// Output: a Markdown table on stdout (and progress on stderr).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { App, DIST_DIR, startEnv } from '../harness.mjs';

const files = (process.env.BENCH_FILES ?? '')
  .split(',')
  .filter(Boolean)
  .map((entry) => {
    const [format, size, path] = entry.split(':');
    return { format, size: Number(size), path };
  });
if (files.length === 0) {
  console.error('BENCH_FILES is empty: run tools/bench.sh');
  process.exit(2);
}

/** Loads (and JSON.parse runs) per file up to `REPEAT_MAX_MB` (`BENCH_REPEAT`). */
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const REPEAT_MAX_MB = 200;
/**
 * Loads per file up to `SMALL_MAX_MB` (`BENCH_REPEAT_SMALL`): a small file's `JSON.parse`
 * swings most between runs (30-60 ms for the 10k Zipkin file) and its runs are short.
 */
const REPEAT_SMALL = Number(process.env.BENCH_REPEAT_SMALL ?? 7);
const SMALL_MAX_MB = 20;

/** Idle time between the warm-up's end and the load, ms (`BENCH_SETTLE_MS`). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2000);

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';

async function measureJsonParse(env, file) {
  // JSON.parse floor in a blank page of its own, with no other page open: Spanorama's own
  // start-up work (its worker's warm-up, the browser optimising its WebAssembly in the
  // background) must not run alongside and slow the floor down. The file is read into a
  // string first (not timed), then parsed (timed).
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15 * 60_000);
  await page.setContent('<input type="file" id="bench-parse-input" hidden>');
  await page.setInputFiles('#bench-parse-input', file.path);
  // A file larger than V8's longest string (2^29 - 24 characters, ~536 MB) cannot be
  // JSON.parse'd at all: no JavaScript viewer can open it. Reported as "cannot" (NaN).
  const parseMs = await page.evaluate(async () => {
    const input = document.getElementById('bench-parse-input');
    const file = input.files[0];
    input.remove();
    if (file.size >= 2 ** 29 - 24) return NaN;
    try {
      let text = await file.text();
      const t0 = performance.now();
      let value = JSON.parse(text);
      const ms = performance.now() - t0;
      text = null;
      value = null;
      return ms;
    } catch (e) {
      return NaN;
    }
  });
  await context.close();
  return parseMs;
}

/**
 * Waits until the page is idle: the worker is ready and primed, and every start-up warm-up
 * the build reports (`viewWarmMs`, `workerWarmMs`: builds before 2026-12-06) is done.
 * Returns `{ ms, longestTask }`: ms from navigation start to idle, and the longest
 * main-thread task before it.
 */
async function waitForIdle(page) {
  await page.evaluate(() => {
    window.__startupTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__startupTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const handle = await page.waitForFunction(
    () => {
      const s = window.spanoramaStats?.();
      const idle =
        s && s.workerReady && s.workerPrimed !== false && !('viewWarmMs' in s && s.viewWarmMs == null) && !('workerWarmMs' in s && s.workerWarmMs == null);
      return idle ? performance.now() : false;
    },
    null,
    { timeout: 60_000, polling: 10 },
  );
  const ms = await handle.jsonValue();
  const longestTask = await page.evaluate(() => Math.max(0, ...window.__startupTasks));
  return { ms, longestTask };
}

/** Wasm sizes of the built site (raw and gzipped), bytes: the page's and the worker's. */
function wasmSizes(dist) {
  const out = {};
  for (const name of readdirSync(dist).filter((n) => n.endsWith('.wasm'))) {
    const bytes = readFileSync(join(dist, name));
    const kind = name.startsWith('spanorama-worker') ? 'worker' : 'page';
    out[kind] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return out;
}

/** Opens the site, waits for its warm-up, and loads `file` through the file input. */
async function openAndLoad(env, file) {
  const app = await App.open(env);
  const page = app.page;
  page.setDefaultTimeout(15 * 60_000);

  // The page is idle once its import worker is ready (and, in a build that has start-up
  // warm-ups, once they are done): a user takes longer than that to pick a file, so the load
  // starts after it. The time from navigation to then is the start-up figure.
  const startup = await waitForIdle(page);
  // The browser optimises wasm functions in the background after that; a user picking a
  // file takes longer than this too.
  await page.waitForTimeout(SETTLE_MS);
  const wasmBefore = await page.evaluate(() => window.spanoramaStats().wasmBytes);

  // Heartbeat and long tasks, then the load through the real file input.
  await page.evaluate(() => {
    window.__bench = { gaps: [], longTasks: [], last: performance.now(), running: true };
    const beat = (t) => {
      const b = window.__bench;
      b.gaps.push(t - b.last);
      b.last = t;
      if (b.running) requestAnimationFrame(beat);
    };
    requestAnimationFrame(beat);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    // When the waterfall is on screen: the end of the first rendering update (a frame:
    // rAF callbacks, layout, resize observers, paint, commit) that includes the drawn
    // canvas. A draw made in an ordinary task shows in the next frame; a draw made inside a
    // frame (from a resize observer) shows in that frame. A message posted from each frame's
    // rAF callback runs right after that frame's update.
    const f = { inFrame: false, thisFrame: false, nextFrame: false, drawnAt: null, shownAt: null };
    window.__benchFrame = f;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      f.inFrame = false;
      if (f.thisFrame) {
        f.thisFrame = false;
        f.shownAt = performance.now();
      }
    };
    const frame = () => {
      f.inFrame = true;
      if (f.nextFrame) {
        f.nextFrame = false;
        f.thisFrame = true;
      }
      channel.port2.postMessage(0);
      if (f.shownAt == null) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new MutationObserver(() => {
      const c = document.getElementById('waterfall-canvas');
      if (f.drawnAt != null || !c || !(Number(c.dataset.draws || 0) > 0) || document.getElementById('loading')) return;
      f.drawnAt = performance.now();
      if (f.inFrame) f.thisFrame = true;
      else f.nextFrame = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-draws'] });
    window.__benchStart = performance.now();
    // The file is given to the page when its input fires `change`; before that the test
    // driver is still handing the file to the browser (tens of ms, not the page's work).
    window.__benchChange = null;
    document.addEventListener(
      'change',
      (e) => {
        if (e.target?.id === 'file-input' && window.__benchChange == null) window.__benchChange = performance.now();
      },
      true,
    );
  });
  await page.setInputFiles('#file-input', file.path);
  await page.waitForFunction(() => window.__benchFrame.shownAt != null, null, { polling: 'raf', timeout: 15 * 60_000 });
  const load = await page.evaluate(() => {
    const b = window.__bench;
    b.running = false;
    return {
      ms: window.__benchFrame.shownAt - (window.__benchChange ?? window.__benchStart),
      driverMs: (window.__benchChange ?? window.__benchStart) - window.__benchStart,
      maxGap: Math.max(...b.gaps),
      maxLongTask: b.longTasks.length ? Math.max(...b.longTasks) : 0,
      longTasks: b.longTasks.length,
      summary: document.getElementById('summary')?.textContent ?? '',
      // The page's own measures during the load, longest of each kind (to attribute long tasks).
      measures: Object.fromEntries(
        ['spanorama:receive-part', 'spanorama:finish-load', 'spanorama:render-app', 'spanorama:render-waterfall', 'spanorama:draw', 'spanorama:worker-message'].map((n) => [
          n,
          Math.max(
            0,
            ...performance
              .getEntriesByName(n)
              .filter((e) => e.startTime >= (window.__benchChange ?? window.__benchStart))
              .map((e) => e.duration),
          ),
        ]),
      ),
      errors: [...document.querySelectorAll('#messages .message.error')].map((e) => e.textContent),
      // The load's timeline (epoch ms; the worker's clock is `Date.now()`, 1 ms steps).
      timeline: (() => {
        const t = window.spanoramaStats?.().workerTimings ?? {};
        const at = (ms) => performance.timeOrigin + ms;
        const change = at(window.__benchChange ?? window.__benchStart);
        return {
          toWorker: t.startedAt - change,
          inWorker: t.doneAt - t.startedAt,
          toDrawn: at(window.__benchFrame.drawnAt) - t.doneAt,
          toShown: window.__benchFrame.shownAt - window.__benchFrame.drawnAt,
        };
      })(),
    };
  });
  console.error(`bench:   longest page work during the load: ${JSON.stringify(load.measures)}`);
  const tl = load.timeline;
  console.error(
    `bench:   timeline: change → worker starts ${fmt(tl.toWorker)} ms, worker ${fmt(tl.inWorker)} ms, → drawn ${fmt(tl.toDrawn)} ms, → on screen ${fmt(tl.toShown)} ms`,
  );
  console.error(`bench:   the test driver took ${Math.round(load.driverMs)} ms to give the file to the page (not counted)`);
  if (load.errors.length) throw new Error(`${file.path}: ${load.errors.join('; ')}`);
  return { app, page, load: { ...load, wasmBefore, startup } };
}

async function measure(env, file) {
  const mb = statSync(file.path).size / 1e6;
  // Both the load and JSON.parse swing by up to 2x between runs on a small VM: files up to
  // REPEAT_MAX_MB are measured `REPEAT` times (up to SMALL_MAX_MB `REPEAT_SMALL` times),
  // interleaved, and the medians reported.
  const runs = mb <= SMALL_MAX_MB ? REPEAT_SMALL : mb <= REPEAT_MAX_MB ? REPEAT : 1;
  const parses = [];
  const loads = [];
  let app;
  let page;
  let load;
  let maxGap = 0;
  let maxLongTask = 0;
  const startups = [];
  for (let run = 0; run < runs; run++) {
    await app?.close();
    parses.push(await measureJsonParse(env, file));
    ({ app, page, load } = await openAndLoad(env, file));
    loads.push(load.ms);
    startups.push(load.startup);
    maxGap = Math.max(maxGap, load.maxGap);
    maxLongTask = Math.max(maxLongTask, load.maxLongTask);
    if (runs > 1) console.error(`bench:   run ${run + 1}: load ${fmt(load.ms)} ms, JSON.parse ${fmt(parses[run])} ms`);
  }
  const parseMs = median(parses);
  const loadMs = median(loads);
  const ratios = loads.map((l, i) => l / parses[i]);
  const spans = Number((/(\d[\d,]*) spans?/.exec(load.summary)?.[1] ?? '0').replace(/,/g, ''));

  // Frames: scroll, zoom and pan, one input per animation frame.
  const frames = await page.evaluate(async () => {
    const canvas = document.getElementById('waterfall-canvas');
    const scroller = document.getElementById('waterfall-scroll');
    performance.clearMeasures('spanorama:draw');
    const rect = canvas.getBoundingClientRect();
    const x = rect.left + rect.width * 0.7;
    const y = rect.top + rect.height * 0.5;
    const wheel = (init) =>
      canvas.dispatchEvent(new WheelEvent('wheel', { bubbles: true, cancelable: true, clientX: x, clientY: y, ...init }));
    const steps = [];
    for (let i = 0; i < 60; i++) steps.push(() => { scroller.scrollTop += 400; });
    for (let i = 0; i < 30; i++) steps.push(() => wheel({ deltaY: -120, ctrlKey: true }));
    for (let i = 0; i < 30; i++) steps.push(() => wheel({ deltaY: 120, shiftKey: true }));
    for (let i = 0; i < 30; i++) steps.push(() => wheel({ deltaY: 120, ctrlKey: true }));
    const intervals = [];
    let last = await new Promise((r) => requestAnimationFrame(r));
    for (const step of steps) {
      step();
      const t = await new Promise((r) => requestAnimationFrame(r));
      intervals.push(t - last);
      last = t;
    }
    const draws = performance.getEntriesByName('spanorama:draw').map((e) => e.duration);
    return { intervals, draws };
  });

  // Interactions on the loaded trace: from the input to the first frame drawn after the
  // waterfall redrew (search, collapse all, expand all, select a span by clicking it).
  const interactions = await page.evaluate(async () => {
    const canvas = document.getElementById('waterfall-canvas');
    const scroller = document.getElementById('waterfall-scroll');
    scroller.scrollTop = 0;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    await frame();
    await frame();
    const time = async (act, done) => {
      const draws = Number(canvas.dataset.draws);
      const t0 = performance.now();
      act();
      for (let i = 0; i < 600; i++) {
        await frame();
        if (Number(canvas.dataset.draws) > draws && done()) break;
      }
      return performance.now() - t0;
    };
    const search = document.getElementById('search-input');
    const type = (text) => {
      search.value = text;
      search.dispatchEvent(new InputEvent('input', { bubbles: true }));
    };
    const out = {};
    const countText = () => document.getElementById('search-count').textContent;
    const searchStart = performance.now();
    // First answer: the first match selected (a big trace is counted after that).
    out.search = await time(() => type('postgres'), () => /of|no matches/.test(countText()));
    for (let i = 0; i < 600 && !/^[\d,]+ of [\d,]+$|^no matches$/.test(countText()); i++) await frame();
    out.searchCounted = performance.now() - searchStart;
    out.searchNext = await time(
      () => search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })),
      () => /^2 of/.test(document.getElementById('search-count').textContent),
    );
    type('');
    await frame();
    out.collapseAll = await time(() => document.getElementById('collapse-all').click(), () => true);
    out.expandAll = await time(() => document.getElementById('expand-all').click(), () => true);
    const rect = canvas.getBoundingClientRect();
    const rowH = Number(canvas.dataset.rowHeight);
    const headerH = Number(canvas.dataset.headerHeight);
    out.select = await time(
      () => canvas.dispatchEvent(new MouseEvent('click', {
        bubbles: true, clientX: rect.left + rect.width * 0.8, clientY: rect.top + headerH + rowH * 4.5,
      })),
      () => document.querySelector('#detail .detail-title') != null,
    );
    return out;
  });

  // The service graph of the loaded trace: click its tab → its tables shown; the longest
  // main-thread task meanwhile (the graph is built in steps).
  const graphOpen = await page.evaluate(async () => {
    const tasks = [];
    const observer = new PerformanceObserver((l) => { for (const e of l.getEntries()) tasks.push(e.duration); });
    observer.observe({ type: 'longtask' });
    const t0 = performance.now();
    document.getElementById('view-graph').click();
    while (!document.querySelector('#graph-nodes tbody tr')) await new Promise((r) => requestAnimationFrame(r));
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();
    return { ms, longestTask: Math.max(0, ...tasks) };
  });
  interactions.graph = graphOpen.ms;
  interactions.graphTask = graphOpen.longestTask;

  const memory = await page.evaluate(() => ({
    ...(window.spanoramaStats ? window.spanoramaStats() : {}),
    jsHeap: performance.memory ? performance.memory.usedJSHeapSize : NaN,
  }));
  app.assertHealthy();
  await app.close();
  return {
    ...file,
    mb,
    spans,
    parseMs,
    loadMs,
    ratio: loadMs / parseMs,
    ratios,
    runs,
    maxGap,
    maxLongTask,
    longTasks: load.longTasks,
    frameMedian: median(frames.intervals),
    frameP95: quantile(frames.intervals, 0.95),
    drawMedian: median(frames.draws),
    drawP95: quantile(frames.draws, 0.95),
    draws: frames.draws.length,
    interactions,
    timings: memory.workerTimings ?? {},
    wasmBytes: memory.wasmBytes,
    wasmBefore: load.wasmBefore,
    workerWasmBytes: memory.workerWasmBytes,
    jsHeap: memory.jsHeap,
    startups,
  };
}

const env = await startEnv();
const rows = [];
try {
  for (const file of files) {
    console.error(`bench: ${file.format} ${file.size} spans (${file.path})…`);
    const r = await measure(env, file);
    console.error(
      `bench:   load ${fmt(r.loadMs)} ms, JSON.parse ${fmt(r.parseMs)} ms, ratio ${fmt(r.ratio, 2)}, ` +
        `longest task ${fmt(r.maxLongTask)} ms, frames p95 ${fmt(r.frameP95, 1)} ms`,
    );
    rows.push(r);
  }
} finally {
  await env.close();
}

const header = [
  'format', 'spans', 'file MB', 'JSON.parse ms (median)', 'load→paint ms (median)', 'ratio (each run)', 'MB/s',
  'longest task ms', 'max rAF gap ms', 'frame median/p95 ms', 'draw median/p95 ms',
  'page wasm MB', 'B/span (page)', 'B/span (added by the load)', 'worker wasm MB', 'JS heap MB',
];
console.log(`| ${header.join(' | ')} |`);
const header2 = [
  'format', 'spans', 'worker read ms (I/O + copy; chunks)', 'worker parse ms', 'parse MB/s (wasm)', 'trees ms', 'hand-over ms',
  'search ms (first match)', 'all counted ms', 'next match ms', 'collapse all ms', 'expand all ms', 'select ms',
  'service graph ms (longest task)',
];
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) {
  console.log(
    `| ${[
      r.format,
      fmt(r.spans),
      fmt(r.mb, 1),
      Number.isFinite(r.parseMs) ? fmt(r.parseMs) : 'cannot (> V8 max string)',
      fmt(r.loadMs),
      r.runs > 1 && r.ratios.every(Number.isFinite) ? `${fmt(r.ratio, 2)} (${r.ratios.map((x) => fmt(x, 2)).join(', ')})` : fmt(r.ratio, 2),
      fmt(r.mb / (r.loadMs / 1000), 0),
      fmt(r.maxLongTask),
      fmt(r.maxGap),
      `${fmt(r.frameMedian, 1)} / ${fmt(r.frameP95, 1)}`,
      `${fmt(r.drawMedian, 1)} / ${fmt(r.drawP95, 1)}`,
      fmt(r.wasmBytes / 1e6, 0),
      fmt(r.wasmBytes / r.spans, 0),
      fmt((r.wasmBytes - r.wasmBefore) / r.spans, 0),
      fmt(r.workerWasmBytes / 1e6, 0),
      fmt(r.jsHeap / 1e6, 0),
    ].join(' | ')} |`,
  );
}
console.log('');
console.log(`| ${header2.join(' | ')} |`);
console.log(`|${header2.map(() => '---').join('|')}|`);
for (const r of rows) {
  const t = r.timings;
  const i = r.interactions;
  console.log(
    `| ${[
      r.format,
      fmt(r.spans),
      `${fmt(t.readMs)} (${fmt(t.readIoMs)} + ${fmt(t.readCopyMs)}; ${fmt(t.readChunks)} chunks)`,
      t.streamedParseMs > 0 ? `${fmt(t.parseMs)} (${fmt(t.streamedParseMs)} while reading)` : fmt(t.parseMs),
      fmt(t.parsedBytes / 1e6 / (t.parseMs / 1000)),
      fmt(t.buildMs),
      fmt(t.sendMs),
      fmt(i.search),
      fmt(i.searchCounted),
      fmt(i.searchNext),
      fmt(i.collapseAll),
      fmt(i.expandAll),
      fmt(i.select),
      `${fmt(i.graph)} (${fmt(i.graphTask)})`,
    ].join(' | ')} |`,
  );
}

// Start-up: navigation to an idle page, over every page the benchmark opened.
const startups = rows.flatMap((r) => r.startups);
const sizes = wasmSizes(DIST_DIR);
const kb = (b) => fmt(b / 1024, 0);
console.log('');
console.log('| start-up to idle ms (median / p95 of N) | longest start-up task ms (median / max) | page wasm KB (gzipped) | worker wasm KB (gzipped) |');
console.log('|---|---|---|---|');
console.log(
  `| ${fmt(median(startups.map((s) => s.ms)))} / ${fmt(quantile(startups.map((s) => s.ms), 0.95))} of ${startups.length} | ` +
    `${fmt(median(startups.map((s) => s.longestTask)))} / ${fmt(Math.max(...startups.map((s) => s.longestTask)))} | ` +
    `${kb(sizes.page?.raw)} (${kb(sizes.page?.gzip)}) | ${kb(sizes.worker?.raw)} (${kb(sizes.worker?.gzip)}) |`,
);

// Shared set-up of the end-to-end tests: paths, the test server, headless Chromium through
// playwright-core, and `App`, a thin driver for the UI contract (element ids and data-*
// attributes the Spanorama UI promises to tests).
//
// Environment:
//   SPANORAMA_DIST    built site to serve (default: dist-e2e, relative to the repo root)
//   SPANORAMA_CORPUS  trace corpus folder (default: ../shared/corpus, relative to the repo root)
//   CHROMIUM_PATH     browser binary (default: /usr/bin/chromium)
//   E2E_HEADED=1      show the browser window (needs a display)

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(E2E_DIR, '..', '..');
export const PREFIX = '/spanorama/';

function fromRoot(p) {
  return isAbsolute(p) ? p : resolve(REPO_ROOT, p);
}

export const DIST_DIR = fromRoot(process.env.SPANORAMA_DIST || 'dist-e2e');
export const CORPUS_DIR = fromRoot(process.env.SPANORAMA_CORPUS || '../shared/corpus');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Absolute path of a file of the shared trace corpus; fails clearly if it is missing. */
export function corpusFile(rel) {
  const p = resolve(CORPUS_DIR, rel);
  if (!existsSync(p)) {
    throw new Error(`corpus file not found: ${p} (set SPANORAMA_CORPUS to the corpus folder)`);
  }
  return p;
}

/** Loose facts about an OTLP JSON file, to compare with what the UI shows. */
export function otlpFacts(path) {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const spans = [];
  const services = new Set();
  for (const rs of doc.resourceSpans ?? []) {
    const svc = (rs.resource?.attributes ?? []).find((a) => a.key === 'service.name');
    const service = svc?.value?.stringValue;
    if (service !== undefined) services.add(service);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) spans.push({ ...s, service });
    }
  }
  const spansByTrace = new Map();
  for (const s of spans) spansByTrace.set(s.traceId, (spansByTrace.get(s.traceId) ?? 0) + 1);
  return { spans, services, spansByTrace };
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Extra flags for experiments, e.g. E2E_CHROMIUM_ARGS='--js-flags=--no-liftoff'.
  ...(process.env.E2E_CHROMIUM_ARGS ? process.env.E2E_CHROMIUM_ARGS.split(' ') : []),
];

/**
 * Starts what one test file needs: the site server (and, with `crossOrigin`, a second server
 * on another port, i.e. another origin) and one Chromium. Call `env.close()` in `after`.
 */
export async function startEnv({ crossOrigin = false } = {}) {
  if (!existsSync(resolve(DIST_DIR, 'index.html'))) {
    throw new Error(
      `no built site at ${DIST_DIR}: build it first with ` +
        '`trunk build --release --public-url /spanorama/ --dist dist-e2e` (tools/test.sh does this), ' +
        'or set SPANORAMA_DIST',
    );
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run tools/setup.sh --e2e or set CHROMIUM_PATH`);
  }
  const server = await startServer({ root: DIST_DIR, prefix: PREFIX, corpusDir: CORPUS_DIR });
  const other = crossOrigin ? await startServer({ root: null, prefix: '/other/', corpusDir: CORPUS_DIR }) : null;
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: process.env.E2E_HEADED !== '1',
      args: CHROMIUM_ARGS,
    });
  } catch (err) {
    await server.close();
    await other?.close();
    throw err;
  }
  return {
    server,
    other,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await other?.close();
    },
  };
}

/** The summary line format: `3 traces · 12,345 spans · 18 services · loaded in 120 ms`. */
export function parseSummary(text) {
  const num = (re) => {
    const m = re.exec(text ?? '');
    return m ? Number(m[1].replace(/[,\u202f\u00a0 ]/g, '')) : null;
  };
  return {
    traces: num(/(\d[\d,]*) traces?\b/),
    spans: num(/(\d[\d,]*) spans?\b/),
    services: num(/(\d[\d,]*) services?\b/),
  };
}

/**
 * The text of an element with a space between the texts of its elements, whitespace collapsed.
 * (`textContent` runs `OTLP JSON` and `40 spans` of neighbouring elements together, and
 * `innerText` is empty inside a closed `<details>`.) Runs in the page.
 */
function spacedText(el) {
  const parts = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) parts.push(walker.currentNode.data);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

// Messages that are not bugs of the page.
const BENIGN_PAGE_ERRORS = [/ResizeObserver loop/];

function isPanic(text) {
  return /panicked at/.test(text) || /RuntimeError: unreachable/.test(text);
}

/** One browser page with the app open, plus everything it reported. */
export class App {
  /**
   * Opens `path` (relative to the site prefix, e.g. `''` or `index.html?url=...`) in a new
   * browser context and waits until the app has mounted (`#summary` is visible).
   */
  static async open(env, path = '', { waitForMount = true } = {}) {
    const context = await env.browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const app = new App(env, context, page);
    await page.goto(env.server.base + path, { waitUntil: 'load' });
    if (waitForMount) await app.waitForMount();
    return app;
  }

  /**
   * Clicks `selector`, waits for the download it starts and reads it: its suggested file
   * name and its bytes (a Buffer).
   */
  async download(selector) {
    const [dl] = await Promise.all([this.page.waitForEvent('download'), this.page.click(selector)]);
    const path = await dl.path();
    return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
  }

  /**
   * Checks that `{name}-png` and `{name}-svg` download `spanorama-{name}.png` (a PNG) and
   * `.svg` (an SVG document); returns the SVG's text.
   */
  async pictureDownloads(name) {
    const png = await this.download(`#${name}-png`);
    if (png.name !== `spanorama-${name}.png`) throw new Error(`PNG named ${png.name}`);
    const magic = png.bytes.subarray(0, 8).toString('hex');
    if (magic !== '89504e470d0a1a0a') throw new Error(`not a PNG: ${magic}`);
    const svg = await this.download(`#${name}-svg`);
    if (svg.name !== `spanorama-${name}.svg`) throw new Error(`SVG named ${svg.name}`);
    const text = svg.bytes.toString('utf8');
    if (!text.startsWith('<svg') || !text.trimEnd().endsWith('</svg>')) throw new Error(`not an SVG: ${text.slice(0, 80)}`);
    return text;
  }

  constructor(env, context, page) {
    this.env = env;
    this.context = context;
    this.page = page;
    this.consoleErrors = [];
    this.pageErrors = [];
    this.panics = [];
    this.requests = [];
    this.failedRequests = [];
    page.setDefaultTimeout(30_000);
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error') this.consoleErrors.push(text);
      if (isPanic(text)) this.panics.push(text);
    });
    page.on('pageerror', (err) => {
      const text = `${err.name}: ${err.message}\n${err.stack ?? ''}`;
      if (isPanic(text)) this.panics.push(text);
      else if (!BENIGN_PAGE_ERRORS.some((re) => re.test(text))) this.pageErrors.push(text);
    });
    page.on('crash', () => this.pageErrors.push('the page crashed'));
    page.on('request', (req) => this.requests.push(req.url()));
    this.httpErrors = [];
    page.on('response', (res) => {
      if (res.status() >= 400) this.httpErrors.push(`${res.status()} ${res.url()}`);
    });
    page.on('requestfailed', (req) =>
      this.failedRequests.push(`${req.url()}: ${req.failure()?.errorText ?? 'failed'}`),
    );
  }

  assertNoPanic(when = '') {
    if (this.panics.length > 0) {
      throw new Error(`Rust panic in the page${when ? ` ${when}` : ''}:\n${this.panics.join('\n---\n')}`);
    }
  }

  /** Throws if the page panicked or threw an uncaught error (`appTest` calls it after each test). */
  assertHealthy() {
    this.assertNoPanic();
    if (this.pageErrors.length > 0) {
      throw new Error(`uncaught error in the page:\n${this.pageErrors.join('\n---\n')}`);
    }
  }

  diagnostics() {
    const parts = [];
    if (this.panics.length) parts.push(`panics:\n  ${this.panics.join('\n  ')}`);
    if (this.pageErrors.length) parts.push(`page errors:\n  ${this.pageErrors.join('\n  ')}`);
    if (this.consoleErrors.length) parts.push(`console errors:\n  ${this.consoleErrors.join('\n  ')}`);
    if (this.httpErrors.length) parts.push(`HTTP errors:\n  ${this.httpErrors.join('\n  ')}`);
    if (this.failedRequests.length) parts.push(`failed requests:\n  ${this.failedRequests.join('\n  ')}`);
    return parts.join('\n');
  }

  async close() {
    await this.context.close().catch(() => {});
  }

  /**
   * Polls `fn` (async, returns a value) until `check(value)` is true. Fails at once if the page
   * panics, and after `timeout` ms with the last value and the page's errors in the message.
   */
  async waitFor(description, fn, check = Boolean, { timeout = 30_000, interval = 100 } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    let lastError;
    for (;;) {
      this.assertNoPanic(`while waiting for ${description}`);
      try {
        last = await fn();
        lastError = undefined;
        if (check(last)) {
          this.assertNoPanic(`while waiting for ${description}`);
          return last;
        }
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        const diag = this.diagnostics();
        throw new Error(
          `timed out after ${timeout} ms waiting for ${description}; last value: ${JSON.stringify(last)}` +
            (lastError ? `; last error: ${lastError.message}` : '') +
            (diag ? `\n${diag}` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  async waitForMount() {
    await this.waitFor('the app to mount (#summary visible)', () => this.page.locator('#summary').isVisible());
  }

  async text(selector) {
    const loc = this.page.locator(selector);
    if ((await loc.count()) === 0) return null;
    return loc.first().evaluate(spacedText);
  }

  async summary() {
    return this.text('#summary');
  }

  /** Waits until `#summary` includes `expected` (string) or matches it (RegExp). */
  async waitForSummary(expected) {
    const ok = (t) => t != null && (expected instanceof RegExp ? expected.test(t) : t.includes(expected));
    return this.waitFor(`#summary to show ${expected}`, () => this.summary(), ok);
  }

  /** Waits until `#summary` reports at least `min` spans; returns the parsed summary. */
  async waitForSpans(min = 1) {
    const text = await this.waitFor(
      `#summary to report at least ${min} span(s)`,
      () => this.summary(),
      (t) => (parseSummary(t).spans ?? 0) >= min,
    );
    return { text, ...parseSummary(text) };
  }

  /** Texts of the `.message.<kind>` elements in `#messages`. */
  async messages(kind = 'error') {
    return Promise.all((await this.page.locator(`#messages .message.${kind}`).all()).map((l) => l.evaluate(spacedText)));
  }

  /** Texts of the `.file-info` elements in `#files`, as shown. */
  async fileInfos() {
    return Promise.all((await this.page.locator('#files .file-info').all()).map((l) => l.evaluate(spacedText)));
  }

  /** Waits for a `.message.<kind>` whose text matches `re`; returns its text. */
  async waitForMessage(re, kind = 'error') {
    const all = await this.waitFor(
      `a .message.${kind} matching ${re}`,
      () => this.messages(kind),
      (list) => list.some((t) => re.test(t)),
    );
    return all.find((t) => re.test(t));
  }

  async loadFiles(paths) {
    await this.page.setInputFiles('#file-input', paths);
  }

  /** Facts about `#waterfall-canvas`, including how many pixels differ from the top-left one. */
  async canvas() {
    return this.page.evaluate(() => {
      const c = document.querySelector('#waterfall-canvas');
      if (!c) return null;
      const num = (name) => (c.hasAttribute(name) ? Number(c.getAttribute(name)) : null);
      const info = {
        width: c.width,
        height: c.height,
        rows: num('data-rows'),
        rowHeight: num('data-row-height'),
        headerHeight: num('data-header-height'),
        draws: num('data-draws'),
        differing: 0,
      };
      if (c.width > 0 && c.height > 0) {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const [r, g, b, a] = [data[0], data[1], data[2], data[3]];
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] !== r || data[i + 1] !== g || data[i + 2] !== b || data[i + 3] !== a) n++;
        }
        info.differing = n;
      }
      return info;
    });
  }

  /**
   * Waits until the waterfall has been drawn (data-draws >= 1, many non-background pixels),
   * and, if given, shows `rows` rows. Returns `canvas()`.
   */
  async waitForCanvas({ rows, minPixels = 2000 } = {}) {
    return this.waitFor(
      `#waterfall-canvas drawn${rows != null ? ` with data-rows=${rows}` : ''}`,
      () => this.canvas(),
      (c) => c != null && c.draws >= 1 && c.differing >= minPixels && (rows == null || c.rows === rows),
    );
  }

  /**
   * How often the waterfall was drawn and its overview built (`data-draws`,
   * `data-renders`), and its canvas's backing store against its laid-out size (device
   * pixels).
   */
  async drawFacts() {
    return this.page.evaluate(() => {
      const c = document.querySelector('#waterfall-canvas');
      const r = c.getBoundingClientRect();
      const scale = window.devicePixelRatio;
      return {
        draws: c.dataset.draws,
        minimapRenders: document.querySelector('#minimap-canvas')?.dataset.renders,
        backing: [c.width, c.height],
        laidOut: [Math.round(r.width * scale), Math.round(r.height * scale)],
      };
    });
  }

  /** Clicks row `index` (0-based, tree order) of the waterfall, in the right part of the canvas. */
  async clickRow(index) {
    await this.page.evaluate(() => {
      const s = document.querySelector('#waterfall-scroll');
      if (s) {
        s.scrollTop = 0;
        s.scrollLeft = 0;
      }
    });
    const c = await this.canvas();
    if (c == null || c.rowHeight == null || c.headerHeight == null) {
      throw new Error(`#waterfall-canvas lacks data-row-height/data-header-height: ${JSON.stringify(c)}`);
    }
    if (index >= c.rows) throw new Error(`row ${index} does not exist (data-rows=${c.rows})`);
    const canvas = this.page.locator('#waterfall-canvas');
    const box = await canvas.boundingBox();
    const x = box.x + box.width * 0.7;
    const y = box.y + c.headerHeight + (index + 0.5) * c.rowHeight;
    const visible = await this.page.evaluate(
      ([px, py]) => {
        const el = document.elementFromPoint(px, py);
        return el?.id === 'waterfall-canvas';
      },
      [x, y],
    );
    if (!visible) throw new Error(`row ${index} is not visible at (${x}, ${y}); the canvas is covered or scrolled away`);
    await this.page.mouse.click(x, y);
  }

  /** The span detail panel: `{ title, fields: { label: value } }`, or null when it shows no span. */
  async detail() {
    return this.page.evaluate(() => {
      const d = document.querySelector('#detail');
      const titleEl = d?.querySelector('.detail-title');
      if (!d || !titleEl) return null;
      const fields = {};
      for (const dt of d.querySelectorAll('dl dt')) {
        let dd = dt.nextElementSibling;
        while (dd && dd.tagName !== 'DD' && dd.tagName !== 'DT') dd = dd.nextElementSibling;
        const key = dt.textContent.replace(/\s+/g, ' ').trim();
        if (!(key in fields)) fields[key] = dd && dd.tagName === 'DD' ? dd.textContent.replace(/\s+/g, ' ').trim() : null;
      }
      return { title: titleEl.textContent.replace(/\s+/g, ' ').trim(), fields };
    });
  }

  /** Rows of `#trace-list`: `[{ traceId, selected, text }]` (empty when the list is hidden). */
  async traceRows() {
    if (!(await this.page.locator('#trace-list').isVisible())) return [];
    return this.page.locator('#trace-list tr.trace-row').evaluateAll((rows) =>
      rows.map((r) => ({
        traceId: r.getAttribute('data-trace-id'),
        selected: r.classList.contains('selected'),
        text: r.textContent.replace(/\s+/g, ' ').trim(),
      })),
    );
  }
}

/**
 * A test that drives the app: `fn({ t, open })`, where `open(path)` is `App.open(env, path)`.
 * Afterwards, whether `fn` passed or failed, every opened page is checked: a Rust panic or an
 * uncaught page error fails the test (and is put first in the failure message), and a failure
 * carries the page's console errors. Pages are closed at the end.
 */
export function appTest(name, getEnv, fn, { timeout = 120_000 } = {}) {
  return test(name, { timeout }, async (t) => {
    const apps = [];
    const open = async (path = '', options) => {
      const app = await App.open(getEnv(), path, options);
      apps.push(app);
      return app;
    };
    let failure;
    try {
      await fn({ t, open });
    } catch (err) {
      failure = err;
    }
    try {
      // Console and page-error events arrive asynchronously: give late ones a moment.
      if (apps.length) await new Promise((r) => setTimeout(r, 200));
      const panicking = apps.find((a) => a.panics.length > 0);
      if (panicking) {
        if (failure?.message?.startsWith('Rust panic')) throw failure;
        const err = new Error(`Rust panic in the page:\n${panicking.panics.join('\n---\n')}`);
        if (failure) err.message += `\n(the test also failed: ${failure.message})`;
        throw err;
      }
      if (failure) {
        // Playwright colours its call logs even when the output is not a terminal.
        if (typeof failure.message === 'string') failure.message = failure.message.replace(/\x1b\[[0-9;]*m/g, '');
        const diag = apps.map((a) => a.diagnostics()).filter(Boolean).join('\n');
        if (diag && typeof failure.message === 'string' && !failure.message.includes(diag)) {
          failure.message += `\n${diag}`;
        }
        throw failure;
      }
      for (const a of apps) a.assertHealthy();
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  });
}

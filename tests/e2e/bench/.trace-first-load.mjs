// Scratch: Chromium trace of a first load, long main-thread tasks broken down by event.
import { App, startEnv } from '../harness.mjs';
import { writeFileSync } from 'node:fs';
const file = process.argv[2];
const env = await startEnv();
try {
  const app = await App.open(env);
  const page = app.page;
  await page.waitForFunction(() => window.spanoramaStats?.().workerReady && window.spanoramaStats().workerWarmMs !== null && !('viewWarmMs' in window.spanoramaStats() && window.spanoramaStats().viewWarmMs == null), null, { timeout: 60000 });
  if (process.env.INJECT) await page.evaluate((html) => { const d = document.createElement('div'); d.style.cssText = 'position:absolute;left:-9999px;top:0'; d.innerHTML = html; document.body.appendChild(d); }, process.env.INJECT);
  await page.waitForTimeout(2000);
  await env.browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-v8.compile', 'blink', 'toplevel'] });
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction(() => Number(document.getElementById('waterfall-canvas')?.dataset.draws || 0) > 0 && !document.getElementById('loading'), null, { timeout: 60000 });
  await page.waitForTimeout(300);
  const buf = await env.browser.stopTracing();
  writeFileSync('/tmp/prof/trace.json', buf);
  await app.close();
} finally { await env.close(); }

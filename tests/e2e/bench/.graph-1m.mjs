import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env);
  const page = app.page;
  page.setDefaultTimeout(10 * 60_000);
  await page.setInputFiles('#file-input', process.argv[2]);
  await app.waitFor('loaded', () => page.evaluate(() => Number(document.getElementById('waterfall-canvas')?.dataset.draws || 0)), (n) => n > 0, { timeout: 600000 });
  await page.waitForTimeout(2000);
  await page.evaluate(() => {
    window.__lt = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
    performance.clearMeasures();
    window.__t0 = performance.now();
  });
  await page.click('#view-graph');
  await page.waitForFunction(() => document.querySelectorAll('#graph-nodes tbody tr').length > 0, null, { timeout: 600000 });
  const r = await page.evaluate(() => ({
    ms: Math.round(performance.now() - window.__t0),
    longTasks: window.__lt,
    steps: performance.getEntriesByName('spanorama:graph-step').map((e) => Math.round(e.duration)),
    nodes: document.querySelectorAll('#graph-nodes tbody tr').length,
  }));
  console.log(JSON.stringify(r));
  await app.close();
} finally { await env.close(); }

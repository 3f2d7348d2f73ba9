import { App, startEnv, corpusFile } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html#view=graph');
  const page = app.page;
  await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); });
  const t0 = Date.now();
  await app.loadFiles([corpusFile('jaeger-deps/jaegerui-deps-large.json')]);
  await app.waitFor('tables', () => page.locator('#graph-nodes tbody tr').count(), (n) => n > 0, { interval: 10 });
  const t1 = Date.now();
  await app.waitFor('drawn', () => page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0, { interval: 10 });
  const t2 = Date.now();
  await page.waitForTimeout(300);
  console.log(JSON.stringify({ tablesMs: t1 - t0, drawnMs: t2 - t0, lt: await page.evaluate(() => window.__lt) }));
  await app.close();
} finally { await env.close(); }

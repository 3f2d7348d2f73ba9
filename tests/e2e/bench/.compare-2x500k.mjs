// Compare two 500,000-span traces of the same root: time to the diff drawn, long tasks.
import { App, startEnv } from '../harness.mjs';
const file = process.argv[2];
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html');
  const page = app.page;
  await app.loadFiles([file]);
  await app.waitFor('loaded', () => app.summary(), (s) => /1,000,000 spans/.test(s), { timeout: 180000 });
  await page.waitForTimeout(2000);
  for (const tab of ['#view-compare', '#view-trace-graph']) {
    await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); window.__t0 = performance.now(); });
    await page.click(tab);
    const sel = tab === '#view-compare' ? '#diff-flame' : '#trace-graph-canvas';
    await app.waitFor(tab, () => page.getAttribute(sel, 'data-draws').then((d) => Number(d) > 0).catch(() => false), (x) => x === true, { timeout: 120000, interval: 20 });
    const ms = await page.evaluate(() => Math.round(performance.now() - window.__t0));
    await page.waitForTimeout(500);
    const rows = tab === '#view-compare' ? await page.getAttribute('#diff-tree', 'data-rows') : null;
    console.log(JSON.stringify({ tab, ms, rows, longTasks: await page.evaluate(() => window.__lt) }));
  }
  await app.close();
} finally { await env.close(); }

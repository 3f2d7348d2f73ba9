import { App, startEnv } from '../harness.mjs';
const file = process.argv[2];
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html');
  const page = app.page;
  await app.loadFiles([file]);
  await app.waitFor('loaded', () => app.summary(), (s) => /1,000,000 spans/.test(s), { timeout: 180000 });
  await app.waitForCanvas();
  await page.waitForTimeout(2000);
  const watch = () => page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); window.__t0 = performance.now(); });
  for (const [tab, done] of [
    ['#view-stats', () => page.locator('#stats tbody tr:not(.spacer)').count().then((n) => n > 0)],
    ['#view-flame', () => page.getAttribute('#flame-canvas', 'data-draws').then((d) => Number(d) > 0).catch(() => false)],
  ]) {
    await watch();
    await page.click(tab);
    await app.waitFor(tab, done, (x) => x === true, { timeout: 120000, interval: 20 });
    const ms = await page.evaluate(() => Math.round(performance.now() - window.__t0));
    await page.waitForTimeout(500);
    const steps = await page.evaluate((name) => performance.getEntriesByName(name).map((e) => e.duration), tab === '#view-stats' ? 'spanorama:stats-step' : 'spanorama:flame-step');
    console.log(JSON.stringify({ tab, ms, longTasks: await page.evaluate(() => window.__lt), steps: steps.length, longestStep: Math.round(Math.max(0, ...steps)) }));
  }
  await watch();
  await page.click('#view-waterfall');
  await app.waitForCanvas();
  await page.click('#critical-path');
  await app.waitFor('critical path', () => page.getAttribute('#waterfall-canvas', 'data-critical'), (c) => c != null, { timeout: 60000, interval: 20 });
  const ms = await page.evaluate(() => Math.round(performance.now() - window.__t0));
  console.log(JSON.stringify({ tab: 'critical path', ms, longTasks: await page.evaluate(() => window.__lt) }));
  await app.close();
} finally { await env.close(); }

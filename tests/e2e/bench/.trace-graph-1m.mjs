// Probe: the trace graph of a 1M-span trace; time to first draw, long tasks, step counts.
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
  await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); window.__t0 = performance.now(); });
  await page.click('#view-trace-graph');
  await app.waitFor('drawn', () => page.getAttribute('#trace-graph-canvas', 'data-draws').then((d) => Number(d) > 0).catch(() => false), (x) => x === true, { timeout: 120000, interval: 20 });
  const ms = await page.evaluate(() => Math.round(performance.now() - window.__t0));
  await page.waitForTimeout(500);
  const m = (name) => page.evaluate((n) => performance.getEntriesByName(n).map((e) => Math.round(e.duration)), name);
  const steps = await m('spanorama:trace-graph-step');
  console.log(JSON.stringify({ ms, longTasks: await page.evaluate(() => window.__lt), steps: steps.length, longestStep: Math.max(0, ...steps),
    select: await m('spanorama:trace-graph-select'), layoutOnPage: await m('spanorama:trace-graph-layout'), draws: await m('spanorama:trace-graph-draw'),
    drawn: await page.textContent('#trace-graph-drawn') }));
  // A click on the canvas centre's box, if any: its spans found in steps.
  await page.evaluate(() => { window.__lt = []; });
  const box = await page.locator('#trace-graph-canvas').boundingBox();
  let hit = null;
  for (let y = 10; y < box.height && !hit; y += 12) for (let x = 10; x < box.width && !hit; x += 16) {
    await page.mouse.move(box.x + x, box.y + y);
    if (await page.locator('#trace-graph-tooltip').count()) hit = { x: box.x + x, y: box.y + y, count: await page.getAttribute('#trace-graph-tooltip', 'data-count') };
  }
  if (hit) {
    await page.evaluate(() => { window.__lt = []; window.__t0 = performance.now(); });
    await page.mouse.down(); await page.mouse.up();
    await app.waitFor('filtered', () => page.getAttribute('#span-filter', 'data-count').catch(() => null), (c) => c != null, { timeout: 60000, interval: 20 });
    const spans = await m('spanorama:trace-graph-spans');
    console.log(JSON.stringify({ click: Math.round(await page.evaluate(() => performance.now() - window.__t0)), count: hit.count, longTasks: await page.evaluate(() => window.__lt), spanSteps: spans.length, longestSpanStep: Math.max(0, ...spans) }));
  }
  await app.close();
} finally { await env.close(); }

import { App, startEnv, corpusFile } from '../harness.mjs';
import { writeFileSync } from 'node:fs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html#view=graph');
  const page = app.page;
  await app.loadFiles([corpusFile('jaeger-deps/jaegerui-deps-large.json')]);
  await app.waitFor('tables', () => page.locator('#graph-nodes tbody tr').count(), (n) => n > 0);
  const busiest = await page.locator('#graph-nodes tbody tr').first().getAttribute('data-node');
  await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); window.__t0 = performance.now(); });
  await env.browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.wasm', 'blink', 'toplevel', 'disabled-by-default-devtools.timeline'] });
  await page.click(`#graph-nodes tr[data-node="${busiest}"] button.link`);
  await app.waitFor('drawn', () => page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  await page.waitForTimeout(300);
  writeFileSync('/tmp/prof/trace.json', await env.browser.stopTracing());
  console.log(JSON.stringify(await page.evaluate(() => ({ ms: Math.round(performance.now() - window.__t0), lt: window.__lt, nodes: document.getElementById('graph-canvas').dataset.nodes, draw: performance.getEntriesByName('spanorama:graph-draw').map((e) => Math.round(e.duration)) }))));
  await app.close();
} finally { await env.close(); }

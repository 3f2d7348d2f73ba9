import { App, startEnv, corpusFile } from '../harness.mjs';
import { readFileSync } from 'node:fs';
const path = corpusFile('jaeger-deps/jaegerui-deps-large.json');
const raw = JSON.parse(readFileSync(path, 'utf8'));
const list = raw.data ?? raw;
const nb = new Map();
const add = (a, b) => { if (!nb.has(a)) nb.set(a, new Set()); nb.get(a).add(b); };
for (const l of list) { add(l.parent, l.child); add(l.child, l.parent); }
function reach(c, hops) { let seen = new Set([c]); let front = [c]; for (let h = 0; h < hops; h++) { const next = []; for (const v of front) for (const w of nb.get(v) ?? []) if (!seen.has(w)) { seen.add(w); next.push(w); } front = next; } return seen; }
let worst = null, worstEdges = -1;
for (const c of nb.keys()) { let s = reach(c, 2); if (s.size > 300) s = reach(c, 1); const e = list.filter((l) => s.has(l.parent) && s.has(l.child)).length; if (e > worstEdges) { worstEdges = e; worst = [c, s.size]; } }
console.log('worst', worst, worstEdges);
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html#view=graph');
  const page = app.page;
  await app.loadFiles([path]);
  await app.waitFor('tables', () => page.locator('#graph-nodes tbody tr').count(), (n) => n > 0);
  await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); window.__t0 = performance.now(); });
  await page.click(`#graph-nodes tr[data-node="${worst[0]}"] button.link`);
  await app.waitFor('drawn', () => page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0, { timeout: 60000 });
  await page.waitForTimeout(300);
  console.log(JSON.stringify(await page.evaluate(() => ({ ms: Math.round(performance.now() - window.__t0), lt: window.__lt, nodes: document.getElementById('graph-canvas').dataset.nodes, draw: performance.getEntriesByName('spanorama:graph-draw').map((e) => Math.round(e.duration)) }))));
  await app.close();
} finally { await env.close(); }

import { App, startEnv } from '../harness.mjs';
const file = process.argv[2];
const env = await startEnv();
const app = await App.open(env);
const page = app.page;
page.setDefaultTimeout(600000);
await page.waitForFunction(() => window.spanoramaStats?.().workerWarmMs != null, null, { timeout: 60000 });
await page.setInputFiles('#file-input', file);
await page.waitForFunction(() => { const c = document.getElementById('waterfall-canvas'); return c && Number(c.dataset.draws || 0) > 0 && !document.getElementById('loading'); }, null, { polling: 'raf', timeout: 600000 });
await page.waitForTimeout(4000);
const client = await page.context().newCDPSession(page);
for (const q of ['postgres', 'payment', '']) {
const events = [];
const h = (e) => events.push(...e.value);
client.on('Tracing.dataCollected', h);
const done = new Promise((r) => client.once('Tracing.tracingComplete', r));
await client.send('Tracing.start', { categories: 'devtools.timeline,v8,v8.wasm,disabled-by-default-devtools.timeline,blink.user_timing', transferMode: 'ReportEvents' });
const ms = await page.evaluate(async (q) => {
  const canvas = document.getElementById('waterfall-canvas');
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  await frame();
  const draws = Number(canvas.dataset.draws);
  const search = document.getElementById('search-input');
  const t0 = performance.now();
  search.value = q;
  search.dispatchEvent(new InputEvent('input', { bubbles: true }));
  for (let i = 0; i < 600; i++) { await frame(); if (Number(canvas.dataset.draws) > draws && (q === '' || /of|no matches/.test(document.getElementById('search-count').textContent))) break; }
  return performance.now() - t0;
}, q);
await page.waitForTimeout(300);
await client.send('Tracing.end');
await done;
client.off('Tracing.dataCollected', h);
console.log(`QUERY ${q}: ${ms.toFixed(0)} ms`);
console.log(await page.evaluate(() => { const o = {}; for (const n of ['spanorama:search','spanorama:render-app','spanorama:render-waterfall','spanorama:draw']) { o[n] = performance.getEntriesByName(n).slice(-3).map(e => e.duration.toFixed(1)).join(','); } return JSON.stringify(o); }));
const mains = events.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map(e=>[e.pid,e.tid]);
for (const [pid, tid] of mains) {
  const evs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
  const tasks = evs.filter((e) => e.name === 'RunTask' && e.dur > 3000).sort((a, b) => a.ts - b.ts);
  for (const t of tasks) {
    console.log(`TASK ${(t.dur / 1000).toFixed(1)} ms at ${((t.ts - tasks[0].ts) / 1000).toFixed(0)}`);
    const kids = evs.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 1000).sort((a,b)=>a.ts-b.ts);
    for (const k of kids) console.log(`   ${((k.ts - t.ts) / 1000).toFixed(1)} +${(k.dur / 1000).toFixed(1)} ${k.name} ${k.args?.data?.type ?? ''} ${k.name==='Layout' ? JSON.stringify(k.args?.beginData ?? {}) + JSON.stringify(k.args?.endData ?? {}).slice(0,300) : ''}`);
  }
}
}
await app.close();
await env.close();

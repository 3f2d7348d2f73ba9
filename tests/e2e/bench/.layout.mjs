import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
const app = await App.open(env);
const page = app.page;
await page.waitForFunction(() => window.spanoramaStats?.().workerWarmMs != null, null, { timeout: 60000 });
await page.waitForTimeout(1500);
await page.evaluate(() => {
  window.__frames = [];
  const snap = () => {
    const m = {};
    for (const el of document.querySelectorAll('[id], main > *, .app > *, body > * > *')) {
      const r = el.getBoundingClientRect();
      m[(el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className)] = `${Math.round(r.top)}+${Math.round(r.height)}`;
    }
    window.__frames.push([performance.now(), m]);
    if (window.__frames.length < 40) requestAnimationFrame(snap);
  };
  requestAnimationFrame(snap);
});
await page.setInputFiles('#file-input', process.argv[2]);
await page.waitForTimeout(1500);
const frames = await page.evaluate(() => window.__frames);
let prev = {};
for (const [t, m] of frames) {
  const diff = Object.entries(m).filter(([k, v]) => prev[k] !== v).map(([k, v]) => `${k}=${v}`);
  const gone = Object.keys(prev).filter((k) => !(k in m));
  if (diff.length || gone.length) console.log(t.toFixed(0), diff.join(' '), gone.length ? 'GONE ' + gone.join(' ') : '');
  prev = m;
}
await app.close(); await env.close();

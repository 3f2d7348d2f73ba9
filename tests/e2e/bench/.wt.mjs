// usage: DISTS=a,b FILE=path N=4 node .wt.mjs — worker timings of a first load, interleaved builds
import { App, startEnv } from '../harness.mjs';
import { resolve } from 'node:path';
const dists = [process.env.SPANORAMA_DIST];
const file = process.env.FILE;
const out = Object.fromEntries(dists.map((d) => [d, []]));
for (let i = 0; i < Number(process.env.N ?? 4); i++) {
  for (const d of dists) {
    const env = await startEnv();
    const app = await App.open(env);
    const page = app.page;
    await page.waitForFunction(() => window.spanoramaStats?.().workerWarmMs != null, null, { timeout: 60000 });
    await page.waitForTimeout(2000);
    await page.evaluate(() => { window.__t0 = 0; document.getElementById('file-input').addEventListener('change', () => { window.__t0 = performance.now(); }, { capture: true, once: true });
    const f = { inFrame: false, thisFrame: false, nextFrame: false, drawnAt: null, shownAt: null };
    window.__benchFrame = f;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      f.inFrame = false;
      if (f.thisFrame) {
        f.thisFrame = false;
        f.shownAt = performance.now();
      }
    };
    const frame = () => {
      f.inFrame = true;
      if (f.nextFrame) {
        f.nextFrame = false;
        f.thisFrame = true;
      }
      channel.port2.postMessage(0);
      if (f.shownAt == null) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new MutationObserver(() => {
      const c = document.getElementById('waterfall-canvas');
      if (f.drawnAt != null || !c || !(Number(c.dataset.draws || 0) > 0) || document.getElementById('loading')) return;
      f.drawnAt = performance.now();
      if (f.inFrame) f.thisFrame = true;
      else f.nextFrame = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-draws'] });
    });
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(() => window.__benchFrame.shownAt != null, null, { polling: 'raf', timeout: 600000 });
    const r = await page.evaluate(() => ({ ms: window.__benchFrame.shownAt - window.__t0, old: performance.now() - window.__t0, ...window.spanoramaStats().workerTimings, warm: window.spanoramaStats().workerWarmMs }));
    out[d].push(r);
    console.log(d.padEnd(12), `load ${r.ms.toFixed(0)} polled ${r.old.toFixed(0)} read ${r.readMs} (io ${r.readIoMs}) parse ${r.parseMs} build ${r.buildMs} send ${r.sendMs} warm ${r.warm}`);
    await app.close();
    await env.close();
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const d of dists) console.log('median', d.padEnd(12), 'load', med(out[d].map((r) => r.ms)).toFixed(0), 'parse', med(out[d].map((r) => r.parseMs)), 'read', med(out[d].map((r) => r.readMs)), 'send', med(out[d].map((r) => r.sendMs)));

// usage: SPANORAMA_DIST=d FILES=a,b,c node .wt2.mjs — worker timings of successive loads in one page
import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
const app = await App.open(env);
const page = app.page;
await page.waitForFunction(() => window.spanoramaStats?.().workerWarmMs != null, null, { timeout: 60000 });
await page.waitForTimeout(2000);
for (const file of process.env.FILES.split(',')) {
  await page.evaluate(() => { window.__t0 = 0; document.getElementById('file-input').addEventListener('change', () => { window.__t0 = performance.now(); }, { capture: true, once: true }); });
  const before = await page.evaluate(() => JSON.stringify(window.spanoramaStats().workerTimings));
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction((b) => JSON.stringify(window.spanoramaStats().workerTimings) !== b && !document.getElementById('loading'), before, { polling: 'raf', timeout: 600000 });
  const r = await page.evaluate(() => ({ ms: performance.now() - window.__t0, ...window.spanoramaStats().workerTimings }));
  console.log(file.split('/').pop().padEnd(20), `load ${r.ms.toFixed(0)} read ${r.readMs} (io ${r.readIoMs}) parse ${r.parseMs} MB/s ${(r.parsedBytes / 1e3 / r.parseMs).toFixed(0)} build ${r.buildMs} send ${r.sendMs}`);
  await page.waitForTimeout(1000);
}
await app.close();
await env.close();

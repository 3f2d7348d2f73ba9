import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html?url=examples/shop-traces.jaeger.json#view=graph');
  await app.page.setViewportSize({ width: 1400, height: 900 });
  await app.waitFor('drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  await app.page.evaluate(() => { document.querySelector('.trace-list-wrap')?.remove(); });
  await app.page.click('#graph-edges tbody tr:nth-child(4) button.link');
  await app.page.waitForTimeout(600);
  await app.page.screenshot({ path: process.argv[2] });
  await app.close();
} finally { await env.close(); }

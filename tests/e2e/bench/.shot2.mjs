import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, process.argv[2]);
  await app.waitFor('drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  await app.page.evaluate(() => { document.querySelector('.trace-list-wrap')?.remove(); });
  await app.page.waitForTimeout(500);
  await app.page.screenshot({ path: process.argv[3] });
  await app.close();
} finally { await env.close(); }

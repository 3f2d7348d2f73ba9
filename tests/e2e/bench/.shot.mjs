import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, process.argv[2]);
  await app.waitFor('tables', () => app.page.locator('#graph-nodes tbody tr').count(), (n) => n > 0);
  await app.page.screenshot({ path: process.argv[3] });
  await app.close();
} finally { await env.close(); }

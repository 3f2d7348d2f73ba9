import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, process.argv[2]);
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.page.setViewportSize({ width: 1400, height: 900 });
  await app.page.waitForTimeout(1500);
  if (process.argv[4]) await app.page.click(process.argv[4]);
  await app.page.waitForTimeout(800);
  await app.page.screenshot({ path: process.argv[3] });
  await app.close();
} finally { await env.close(); }

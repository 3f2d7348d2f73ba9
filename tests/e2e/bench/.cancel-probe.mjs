import { App, startEnv } from '../harness.mjs';
import { readdirSync } from 'node:fs';
const env = await startEnv();
try {
  const app = await App.open(env);
  const page = app.page;
  await page.selectOption('#examples', 'examples/shop-checkout.otlp.json');
  await app.waitForSpans(1);
  await page.evaluate(() => {
    window.__btns = new Set(); window.__n = 0;
    new MutationObserver(() => { const b = document.getElementById('cancel-load'); if (b && !window.__btns.has(b)) { window.__btns.add(b); window.__n++; } }).observe(document.body, { subtree: true, childList: true });
  });
  await page.setInputFiles('#file-input', process.argv[2]);
  await page.waitForTimeout(1500);
  console.log('distinct cancel buttons in 1.5 s:', await page.evaluate(() => window.__n));
  await app.close();
} finally { await env.close(); }

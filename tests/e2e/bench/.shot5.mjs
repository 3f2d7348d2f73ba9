import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html?url=examples/shop-checkout.otlp.json');
  await app.page.setViewportSize({ width: 1400, height: 900 });
  await app.waitForCanvas();
  await app.page.click('#critical-path');
  await app.page.waitForTimeout(300);
  await app.page.click('#next-error');
  await app.page.waitForTimeout(300);
  const box = await app.page.locator('#waterfall-canvas').boundingBox();
  await app.page.mouse.move(box.x + box.width * 0.5, box.y + 30 + 24 * 3.5);
  await app.page.waitForTimeout(500);
  await app.page.screenshot({ path: process.argv[2] });
  await app.close();
} finally { await env.close(); }

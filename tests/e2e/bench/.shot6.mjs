import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html?url=examples/shop-checkout.otlp.json#view=flame');
  await app.page.setViewportSize({ width: 1400, height: 800 });
  await app.waitFor('drawn', () => app.page.getAttribute('#flame-canvas', 'data-draws'), (d) => Number(d) > 0);
  await app.page.waitForTimeout(500);
  const box = await app.page.locator('#flame-canvas').boundingBox();
  await app.page.mouse.move(box.x + 300, box.y + 70);
  await app.page.waitForTimeout(300);
  await app.page.screenshot({ path: '/tmp/flame.png' });
  await app.close();
} finally { await env.close(); }

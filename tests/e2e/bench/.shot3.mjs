import { App, startEnv } from '../harness.mjs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html?url=examples/shop-traces.jaeger.json#view=graph');
  await app.waitFor('drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  await app.page.setViewportSize({ width: 1400, height: 1000 });
  await app.page.waitForTimeout(300);
  const box = await app.page.locator('#graph-canvas').boundingBox();
  await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 4; i++) { await app.page.mouse.wheel(0, -300); await app.page.waitForTimeout(50); }
  await app.page.locator('#graph-nodes tbody tr button.link').nth(2).click();
  await app.page.evaluate(() => document.querySelector('.graph-view').scrollTop = 0);
  await app.page.waitForTimeout(500);
  await app.page.screenshot({ path: '/tmp/shot3.png' });
  await app.close();
} finally { await env.close(); }

import { startEnv, App } from '../harness.mjs';
const env = await startEnv();
const app = await App.open(env, 'index.html?url=examples/shop-traces.jaeger.json#view=graph');
await app.page.waitForSelector('#graph-canvas[data-draws]');
await app.page.waitForTimeout(500);
await app.page.screenshot({ path: '/tmp/shot-graph.png' });
console.log(await app.page.evaluate(() => [document.documentElement.scrollHeight, getComputedStyle(document.querySelector('.app')).height, getComputedStyle(document.querySelector('.app')).overflow]));
await app.context.close(); await env.close();

import { startEnv, App } from '../harness.mjs';
const env = await startEnv();
const shots = [
  ['index.html?url=examples/shop-traces.jaeger.json', 'list', '#latency-chart'],
  ['index.html?url=examples/shop-traces.jaeger.json#view=compare', 'compare', '#diff-flame[data-draws]'],
  ['index.html?url=examples/shop-checkout.otlp.json#view=trace-graph', 'tgraph', '#trace-graph-canvas[data-draws]'],
];
for (const [url, name, sel] of shots) {
  const app = await App.open(env, url);
  await app.page.waitForSelector(sel, { timeout: 20000 });
  await app.page.waitForTimeout(800);
  await app.page.screenshot({ path: `/tmp/shot-${name}.png`, fullPage: false });
  await app.context.close();
}
await env.close();

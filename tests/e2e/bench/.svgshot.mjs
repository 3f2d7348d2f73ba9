import { startEnv, App } from '../harness.mjs';
import { writeFileSync } from 'node:fs';
const env = await startEnv();
for (const [url, name] of [['index.html?url=examples/shop-traces.jaeger.json#view=graph', 'graph'], ['index.html?url=examples/shop-checkout.otlp.json#view=flame', 'flame']]) {
  const app = await App.open(env, url);
  await app.page.waitForSelector(`#${name}-canvas[data-draws]`);
  await app.page.waitForTimeout(500);
  const { bytes } = await app.download(`#${name}-svg`);
  writeFileSync(`/tmp/${name}.svg`, bytes);
  const p2 = await app.context.newPage();
  await p2.setContent(bytes.toString('utf8'));
  await p2.screenshot({ path: `/tmp/${name}-svg.png` });
  await app.page.screenshot({ path: `/tmp/${name}-page.png` });
  await app.context.close();
}
await env.close();

import { App, startEnv, corpusFile } from '../harness.mjs';
import { writeFileSync } from 'node:fs';
const env = await startEnv();
try {
  const app = await App.open(env, 'index.html#view=graph');
  const page = app.page;
  await env.browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.wasm', 'blink', 'toplevel', 'disabled-by-default-devtools.timeline'] });
  await app.loadFiles([corpusFile('jaeger-deps/jaegerui-deps-large.json')]);
  await app.waitFor('drawn', () => page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0, { interval: 10 });
  await page.waitForTimeout(300);
  writeFileSync('/tmp/prof/trace.json', await env.browser.stopTracing());
  await app.close();
} finally { await env.close(); }

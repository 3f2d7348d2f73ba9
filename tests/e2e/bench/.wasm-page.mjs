// Pure import speed of /tmp/wbench's wasm in a Chromium worker (no I/O): node .wasm-page.mjs wasm files...
import { startEnv } from '../harness.mjs';
import { readFileSync } from 'node:fs';
const env = await startEnv();
const ctx = await env.browser.newContext();
const page = await ctx.newPage();
await page.setContent('<p>x</p>');
await page.goto(env.server.base);
const src = `
onmessage = async (e) => {
  const { base, files, chunk } = e.data;
  const mod = await WebAssembly.compileStreaming(fetch(base + 'wbench.wasm'));
  const imports = {};
  for (const imp of WebAssembly.Module.imports(mod)) { imports[imp.module] ??= {}; imports[imp.module][imp.name] = () => { throw new Error('import ' + imp.name); }; }
  const out = [];
  for (const name of files) {
    const data = new Uint8Array(await (await fetch(base + name)).arrayBuffer());
    const times = [];
    for (let r = 0; r < 6; r++) {
      const inst = new WebAssembly.Instance(mod, imports); const x = inst.exports;
      const p = x.alloc(data.length); new Uint8Array(x.memory.buffer, p, data.length).set(data);
      const t0 = performance.now(); const n = chunk ? x.stream(p, data.length, chunk) : x.run(p, data.length); times.push(Math.round(performance.now() - t0));
    }
    out.push(name + ' ' + times.join(' ') + ' ms; best ' + (data.length / 1e3 / Math.min(...times)).toFixed(0) + ' MB/s');
  }
  postMessage(out);
};`;
const files = process.argv.slice(2);
const r = await page.evaluate(async ({ src, base, files, chunk }) => {
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  return await new Promise((ok) => { w.onmessage = (e) => ok(e.data); w.postMessage({ base, files, chunk }); });
}, { src, base: env.server.base, files, chunk: Number(process.env.CHUNK ?? 0) });
console.log(r.join('\n'));
await env.close();

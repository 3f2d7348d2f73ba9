import { startEnv } from '../harness.mjs';
const env = await startEnv();
const ctx = await env.browser.newContext();
const page = await ctx.newPage();
await page.setContent('<p>x</p>');
const src = `
onmessage = (e) => {
  const { n, size, transfer } = e.data; const out = [];
  for (let i = 0; i < n; i++) { const b = new Uint8Array(size); b[0] = i; const t = performance.now(); postMessage({ kind: 'part', part: b.buffer }, transfer ? [b.buffer] : []); out.push(performance.now() - t); }
  postMessage({ kind: 'done', out });
};`;
for (const [n, size, transfer] of [[5, 1 << 20, true], [5, 1 << 20, false], [5, 1 << 20, true], [20, 1 << 16, true]]) {
  const r = await page.evaluate(async ({ src, n, size, transfer }) => {
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    await new Promise((r) => setTimeout(r, 200));
    const res = await new Promise((ok) => { w.onmessage = (e) => { if (e.data.kind === 'done') ok(e.data.out); }; w.postMessage({ n, size, transfer }); });
    w.terminate();
    return res.map((x) => +x.toFixed(2));
  }, { src, n, size, transfer });
  console.log(n, size, transfer, JSON.stringify(r));
}
await env.close();

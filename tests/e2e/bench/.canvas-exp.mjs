import { startEnv } from '../harness.mjs';
const env = await startEnv();
const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
await page.setContent('<div id=host></div><canvas id=pre width=10 height=10></canvas>');
await page.evaluate(() => { const c = document.createElement('canvas'); c.width = 64; c.height = 16; const x = c.getContext('2d'); x.font = '12px sans-serif'; x.fillText('warm', 0, 12); });
for (let i = 0; i < 3; i++) {
  const r = await page.evaluate(() => {
    const out = {};
    const host = document.getElementById('host');
    let c = document.createElement('canvas'); host.appendChild(c);
    let t = performance.now(); c.width = 1200; c.height = 700; out.sizeThenCtx_size = performance.now() - t;
    t = performance.now(); let x = c.getContext('2d'); out.sizeThenCtx_ctx = performance.now() - t;
    t = performance.now(); x.fillRect(0, 0, 10, 10); x.getImageData(0,0,1,1); out.firstDraw = performance.now() - t;
    c.remove();
    c = document.createElement('canvas'); host.appendChild(c);
    t = performance.now(); x = c.getContext('2d'); out.ctxFirst_ctx = performance.now() - t;
    t = performance.now(); c.width = 1200; c.height = 700; out.ctxFirst_size = performance.now() - t;
    t = performance.now(); x.fillRect(0, 0, 10, 10); x.getImageData(0,0,1,1); out.firstDraw2 = performance.now() - t;
    t = performance.now(); c.width = 1201; out.resize = performance.now() - t;
    t = performance.now(); x.fillRect(0, 0, 10, 10); x.getImageData(0,0,1,1); out.drawAfterResize = performance.now() - t;
    c.remove();
    const p = document.getElementById('pre'); const px = p.getContext('2d');
    t = performance.now(); p.width = 1200; p.height = 700; px.fillRect(0,0,10,10); px.getImageData(0,0,1,1); out.preCreated_resize_draw = performance.now() - t;
    p.width = 10; p.height = 10;
    for (const k in out) out[k] = +out[k].toFixed(2);
    return out;
  });
  console.log(JSON.stringify(r));
}
await env.close();

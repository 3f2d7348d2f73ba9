// Light and dark: the page follows the system's colour scheme until the user picks one with
// the toggle, which is remembered; the canvases, panels and tables all follow.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appTest, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** Mean brightness (0–255) of a canvas, sampled. */
function brightness(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
      n++;
    }
    return sum / n;
  }, selector);
}

/** The page's background colour, as brightness. */
function pageBrightness(page) {
  return page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.querySelector('.status')).backgroundColor.match(/\d+/g).map(Number);
    return (r + g + b) / 3;
  });
}

const theme = (app) => app.page.evaluate(() => document.documentElement.dataset.theme);

appTest('the page follows a dark system scheme, and the toggle picks one that is remembered', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json');
  await app.page.emulateMedia({ colorScheme: 'light' });
  await app.waitForCanvas();
  assert.equal(await theme(app), 'light');
  const light = await brightness(app.page, '#waterfall-canvas');
  assert.ok(light > 180, `light waterfall ${light}`);
  // The system turns dark: everything follows.
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.waitFor('the dark theme', () => theme(app), (t) => t === 'dark');
  await app.waitFor('a dark waterfall', () => brightness(app.page, '#waterfall-canvas'), (b) => b < 80);
  assert.ok((await pageBrightness(app.page)) < 60);
  assert.equal(await app.page.getAttribute('#theme-toggle', 'aria-pressed'), 'true');
  // The graph too.
  await app.page.click('#view-graph');
  await app.waitFor('the graph drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  assert.ok((await brightness(app.page, '#graph-canvas')) < 80);
  // The user picks light: it stays light in a dark system, after a reload too.
  await app.page.click('#theme-toggle');
  await app.waitFor('the light theme', () => theme(app), (t) => t === 'light');
  await app.waitFor('a light graph', () => brightness(app.page, '#graph-canvas'), (b) => b > 180);
  await app.page.reload();
  await app.waitFor('the graph drawn again', () => app.page.getAttribute('#graph-canvas', 'data-draws').catch(() => null), (d) => Number(d) > 0);
  assert.equal(await theme(app), 'light');
  assert.ok((await pageBrightness(app.page)) > 200);
  // And back to dark by the toggle.
  await app.page.click('#theme-toggle');
  await app.waitFor('dark again', () => brightness(app.page, '#graph-canvas'), (b) => b < 80);
});

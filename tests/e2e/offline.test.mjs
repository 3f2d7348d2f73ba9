// Installable and offline: the manifest is served with its icons, and once the page has been
// visited its service worker serves the site's files without a network; a file then opens as
// it does online (loading files never needs the network).

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appTest, DIST_DIR, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

appTest('visited once, the page reloads offline and opens a file', () => env, async ({ open }) => {
  const app = await open('');
  // The manifest names the app and icons that exist.
  const manifest = await app.page.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]').href;
    const m = await (await fetch(href)).json();
    const icons = await Promise.all(m.icons.map(async (i) => (await fetch(new URL(i.src, href))).status));
    return { name: m.name, start: m.start_url, icons };
  });
  assert.equal(manifest.name, 'Spanorama');
  assert.equal(manifest.start, './');
  assert.deepEqual(manifest.icons, manifest.icons.map(() => 200));
  // The service worker is active and controls the page's scope.
  const scope = await app.page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(new URL(scope).pathname, '/spanorama/');
  await app.waitFor('the files stored', () => app.page.evaluate(async () => {
    const keys = await (await caches.open('spanorama-site-v1')).keys();
    return keys.map((r) => r.url);
  }), (urls) => urls.some((u) => u.endsWith('_bg.wasm')) && urls.some((u) => u.endsWith('spanorama-worker_bg.wasm')));
  // Offline: a reload still mounts the app, and a file opens (parsed by the worker).
  await app.context.setOffline(true);
  await app.page.reload({ waitUntil: 'load' });
  await app.waitForMount();
  await app.loadFiles([join(DIST_DIR, 'examples/shop-checkout.otlp.json')]);
  const summary = await app.waitForSpans(1);
  assert.equal(summary.spans, 64);
  await app.waitForCanvas();
  assert.deepEqual(await app.messages('error'), []);
  await app.context.setOffline(false);
});

// The in-page help: formats, how to get a trace out of each backend, the keyboard shortcuts.

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

appTest('the help lists the formats, how to export from each backend, and the shortcuts', () => env, async ({ open }) => {
  const app = await open('');
  await app.page.click('#help-open');
  await app.page.waitForSelector('#help');
  const formats = await app.text('#help-formats');
  for (const name of ['OpenTelemetry', 'Jaeger', 'Zipkin', 'AWS X-Ray', 'Datadog', 'New Relic']) assert.ok(formats.includes(name), name);
  const sources = await app.page.locator('#help-export .help-export').evaluateAll((els) => els.map((e) => e.dataset.source));
  assert.deepEqual(sources, ['Jaeger', 'Grafana Tempo', 'Zipkin', 'AWS X-Ray', 'OpenTelemetry Collector']);
  assert.match(await app.text('#help-export'), /aws xray batch-get-traces/);
  // The same shortcuts as the `?` list.
  const keys = () => app.page.locator('#help-shortcuts kbd').allTextContents();
  const inHelp = await keys();
  assert.ok(inHelp.length >= 8, `${inHelp.length} shortcuts`);
  // Escape closes it; `?` shows the list with the same keys.
  await app.page.keyboard.press('Escape');
  await app.waitFor('the help closed', () => app.page.locator('#help').count(), (n) => n === 0);
  await app.page.keyboard.press('?');
  await app.page.waitForSelector('#shortcuts');
  assert.deepEqual(await app.page.locator('#shortcuts kbd').allTextContents(), inHelp);
  await app.page.click('#shortcuts-close');
  await app.waitFor('the list closed', () => app.page.locator('#shortcuts').count(), (n) => n === 0);
});

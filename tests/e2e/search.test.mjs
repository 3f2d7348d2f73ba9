// Finding spans: type in the search box, step through matches, and the match is selected and
// revealed even inside collapsed subtrees.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { appTest, otlpFacts, REPO_ROOT, startEnv } from './harness.mjs';

const EXAMPLE = 'examples/big-fanout.otlp.json';
const facts = otlpFacts(resolve(REPO_ROOT, 'static', EXAMPLE));

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

const count = (app) => app.text('#search-count');

appTest('search counts matches, steps through them, and reveals a match in a collapsed tree', () => env, async ({ open }) => {
  const app = await open();
  await app.page.selectOption('#examples', EXAMPLE);
  await app.waitForCanvas();

  // The rarest service: every span of it matches (other spans may match through attributes).
  const byService = new Map();
  for (const s of facts.spans) byService.set(s.service, (byService.get(s.service) ?? 0) + 1);
  const [service, own] = [...byService].sort((a, b) => a[1] - b[1])[0];

  await app.page.click('#collapse-all');
  const collapsedRows = (await app.canvas()).rows;
  await app.page.fill('#search-input', service.toUpperCase());
  const first = await app.waitFor('a match count', () => count(app), (t) => /^1 of [\d,]+$/.test(t));
  const total = Number(first.split(' of ')[1].replace(/,/g, ''));
  assert.ok(total >= own, `"${service}" matches ${total} spans; the file has ${own} spans of that service`);

  // The first match is selected and shown: its collapsed ancestors were unfolded.
  const detail = await app.waitFor('#detail of the match', () => app.detail(), (d) => d != null);
  assert.ok(JSON.stringify(detail).toLowerCase().includes(service.toLowerCase()), JSON.stringify(detail));
  assert.ok((await app.canvas()).rows > collapsedRows, 'ancestors of the match were expanded');

  if (total > 1) {
    await app.page.press('#search-input', 'Enter');
    await app.waitFor('second match', () => count(app), (t) => t.startsWith('2 of '));
    await app.page.press('#search-input', 'Shift+Enter');
    await app.waitFor('back to the first', () => count(app), (t) => t.startsWith('1 of '));
  }
  await app.page.click('#search-prev');
  await app.waitFor('wraps to the last', () => count(app), (t) => t === `${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`);

  await app.page.fill('#search-input', 'no-such-thing-anywhere');
  await app.waitFor('no matches', () => count(app), (t) => t === 'no matches');
  assert.equal(await app.page.locator('#search-next').isDisabled(), true);
});

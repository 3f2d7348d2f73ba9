// Files that cannot be loaded: each gives one error message naming the file and the reason,
// never a panic, and what was loaded before stays on screen.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appTest, corpusFile, startEnv } from './harness.mjs';

const HOTROD = corpusFile('otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json');

let env;
let dir;
const files = {};

before(async () => {
  env = await startEnv();
  dir = await mkdtemp(join(tmpdir(), 'spanorama-e2e-'));
  const write = async (name, content) => {
    files[name] = join(dir, name);
    await writeFile(files[name], content);
  };
  await write('truncated.json', (await readFile(HOTROD)).subarray(0, 5000));
  await write('empty.json', '');
  await write('notes.txt', 'These are not the traces you are looking for.\n');
  await write('hello.json', '{"hello": 1}\n');
  await write('no-spans.json', '{"resourceSpans": []}\n');
});

after(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// [file, what the reason must mention]
const CASES = [
  ['empty.json', /empty/i],
  ['notes.txt', /not valid JSON/i],
  ['hello.json', /tried/i],
  ['no-spans.json', /no spans/i],
];

function startsWithName(name) {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `);
}

appTest('a truncated file gives an error with line and column; the loaded trace stays', () => env, async ({ open }) => {
  const app = await open();

  await app.loadFiles([HOTROD]);
  await app.waitForSummary('1 trace · 40 spans');
  await app.waitForCanvas({ rows: 40 });

  await app.loadFiles([files['truncated.json']]);
  const msg = await app.waitForMessage(/truncated\.json/);
  assert.match(msg, startsWithName('truncated.json'), `message: ${msg}`);
  assert.match(msg, /line \d+ column \d+/, `message: ${msg}`);
  assert.equal((await app.messages('error')).length, 1);

  const summary = await app.summary();
  assert.match(summary, /\b40 spans\b/, `summary after the broken file: ${summary}`);
  assert.match(summary, /^1 trace\b/, `summary after the broken file: ${summary}`);
  const canvas = await app.waitForCanvas({ rows: 40 });
  assert.ok(canvas.differing >= 5000, `only ${canvas.differing} drawn pixels`);
});

for (const [name, reason] of CASES) {
  appTest(`${name}: error mentions ${reason}`, () => env, async ({ open }) => {
    const app = await open();
    await app.loadFiles([files[name]]);
    const msg = await app.waitForMessage(startsWithName(name));
    assert.match(msg, reason, `message: ${msg}`);
    assert.equal((await app.messages('error')).length, 1, 'more than one error for one file');
    assert.doesNotMatch(await app.summary(), /\b[1-9][\d,]* spans?\b/, 'a broken file added spans');
  });
}

appTest('several broken files at once, beside a good one: one error each, the good one loads', () => env, async ({ open }) => {
  const app = await open();
  const names = ['truncated.json', ...CASES.map(([n]) => n)];
  await app.loadFiles([HOTROD, ...names.map((n) => files[n])]);
  await app.waitForSummary('1 trace · 40 spans');
  const msgs = await app.waitFor(
    `${names.length} error messages`,
    () => app.messages('error'),
    (m) => m.length >= names.length,
  );
  assert.equal(msgs.length, names.length, `messages: ${JSON.stringify(msgs, null, 1)}`);
  for (const n of names) {
    assert.ok(
      msgs.some((m) => startsWithName(n).test(m)),
      `no message for ${n}: ${JSON.stringify(msgs, null, 1)}`,
    );
  }
  await app.waitForCanvas({ rows: 40 });
});

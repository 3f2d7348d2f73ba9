// The service graph view: the view switch (kept in the URL's fragment), the scope, and the
// two tables, checked against figures computed here from the files themselves.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTest, corpusFile, DIST_DIR, startEnv } from './harness.mjs';

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** The rows of a graph table as objects of their `data-*` attributes. */
async function rows(page, id) {
  return page.locator(`#${id} tbody tr:not(.spacer)`).evaluateAll((trs) => trs.map((tr) => ({ ...tr.dataset })));
}

/** Waits for the graph's tables and returns their rows. */
async function graphTables(app) {
  await app.waitFor('the graph tables', () => app.page.locator('#graph-nodes tbody tr').count(), (n) => n > 0);
  return { nodes: await rows(app.page, 'graph-nodes'), edges: await rows(app.page, 'graph-edges') };
}

appTest('#view=graph opens the service graph; its nodes count the spans of each service', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=graph');
  await app.waitForSpans(1);
  const { nodes, edges } = await graphTables(app);
  // Spans per service, from the file: each span's process names its service.
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-traces.jaeger.json'), 'utf8'));
  const perService = new Map();
  for (const trace of file.data) {
    for (const span of trace.spans) {
      const service = trace.processes[span.processID].serviceName;
      perService.set(service, (perService.get(service) ?? 0) + 1);
    }
  }
  for (const [service, spans] of perService) {
    const node = nodes.find((n) => n.node === service);
    assert.ok(node, `node ${service} in ${JSON.stringify(nodes.map((n) => n.node))}`);
    assert.equal(Number(node.spans), spans, `spans of ${service}`);
  }
  // Inferred nodes report no spans; every edge joins two listed nodes.
  assert.ok(nodes.every((n) => perService.has(n.node) || n.spans === '0'));
  const names = new Set(nodes.map((n) => n.node));
  assert.ok(edges.length > 0);
  assert.ok(edges.every((e) => names.has(e.from) && names.has(e.to) && Number(e.calls) > 0));
  assert.ok(edges.every((e) => e.p50Ns === '' || Number(e.p50Ns) <= Number(e.p95Ns)));
  assert.ok(nodes.some((n) => n.kind === 'database'), 'a database among the nodes');
  // The drawing: every node, painted (some pixels are not the background).
  await app.waitFor('the graph drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  assert.equal(Number(await app.page.getAttribute('#graph-canvas', 'data-nodes')), nodes.length);
  const painted = await app.page.evaluate(() => {
    const c = document.getElementById('graph-canvas');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) n++;
    return n;
  });
  assert.ok(painted > 2000, `${painted} painted pixels`);
  // The picture downloads: the SVG names every node.
  const svg = await app.pictureDownloads('graph');
  for (const n of nodes) assert.ok(svg.includes(`>${n.node}</text>`), `${n.node} in the SVG`);
  // Edges sort by calls, most first, and the other way on a second click.
  const calls = async () => (await rows(app.page, 'graph-edges')).map((e) => Number(e.calls));
  const first = await calls();
  assert.deepEqual(first, [...first].sort((a, b) => b - a));
  await app.page.click('#graph-edges th:nth-child(2) .sort');
  await app.waitFor('edges sorted fewest calls first', calls, (c) => c[0] <= c[c.length - 1] && c.length === first.length);
  // Finding a service keeps its node and the edges at either end of it.
  await app.page.fill('#graph-search', 'CART');
  const found = await app.waitFor('nodes found', () => rows(app.page, 'graph-nodes'), (r) => r.length < nodes.length);
  const nodeNames = (list) => list.map((n) => n.node).sort();
  assert.deepEqual(nodeNames(found), nodeNames(nodes.filter((n) => n.node.includes('cart'))));
  const kept = await rows(app.page, 'graph-edges');
  assert.ok(kept.length > 0 && kept.every((e) => e.from.includes('cart') || e.to.includes('cart')));
  assert.deepEqual(await app.messages('error'), []);
});

appTest('the view switch shows the waterfall and the graph, and keeps the choice in the URL', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-checkout.otlp.json');
  await app.waitForCanvas();
  assert.equal(await app.page.getAttribute('#view-waterfall', 'aria-selected'), 'true');
  await app.page.focus('#view-graph');
  await app.page.keyboard.press('Enter');
  await graphTables(app);
  assert.match(app.page.url(), /[#&]view=graph$/);
  assert.equal(await app.page.locator('#waterfall-canvas').count(), 0);
  // The selected trace alone: one trace here, so the same services.
  await app.page.check('#graph-scope-trace');
  await graphTables(app);
  await app.page.click('#view-waterfall');
  await app.waitForCanvas();
  assert.doesNotMatch(app.page.url(), /view=graph/);
});

appTest('a Jaeger dependency file opens as a graph of its services and links', () => env, async ({ open }) => {
  const app = await open('index.html#view=graph');
  const path = corpusFile('jaeger-deps/jaegerui-deps-large.json');
  await app.loadFiles([path]);
  const links = JSON.parse(readFileSync(path, 'utf8'));
  const list = links.data ?? links;
  const services = new Set(list.flatMap((l) => [l.parent, l.child]));
  const pairs = new Set(list.map((l) => `${l.parent}\u0000${l.child}`));
  const { nodes } = await graphTables(app);
  const count = (id) => app.page.getAttribute(`#${id}`, 'data-rows').then(Number);
  assert.equal(await count('graph-nodes'), services.size);
  assert.equal(await count('graph-edges'), pairs.size);
  assert.ok(nodes.every((n) => n.spans === '0' && n.kind === 'service'));
  // Thousands of rows: only those in view are rendered, each with its place in the table;
  // scrolled to the end, the last ones are.
  assert.ok(nodes.length < services.size, `${nodes.length} rows rendered`);
  const rowIndices = () => app.page.locator('#graph-edges tbody tr[aria-rowindex]').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('aria-rowindex'))));
  await app.page.locator('#graph-edges').evaluate((t) => { t.parentElement.scrollTop = t.parentElement.scrollHeight; });
  await app.waitFor('the last edge rendered', rowIndices, (ix) => ix.includes(pairs.size + 1));
  // Each link carries the file's calls: a sample, found through the search (names of
  // eleven characters are no part of a longer one).
  const callsOf = new Map();
  for (const l of list) callsOf.set(`${l.parent} ${l.child}`, (callsOf.get(`${l.parent} ${l.child}`) ?? 0) + l.callCount);
  for (const l of list.filter((l) => l.child.length === 11).filter((_, i) => i % 100 === 0)) {
    await app.page.fill('#graph-search', l.child);
    const found = await app.waitFor(`the edges of ${l.child}`, () => rows(app.page, 'graph-edges'), (r) => r.some((e) => e.from === l.parent && e.to === l.child));
    assert.equal(Number(found.find((e) => e.from === l.parent && e.to === l.child).calls), callsOf.get(`${l.parent} ${l.child}`));
    assert.ok(found.every((e) => e.from === l.child || e.to === l.child));
  }
  await app.page.fill('#graph-search', '');
  // Too many to draw at once: the busiest node's neighbourhood is drawn, and choosing a node
  // draws its own.
  const caption = await app.waitFor('the busiest node drawn', () => app.page.locator('#graph-drawn').textContent().catch(() => ''), (t) => /the busiest/.test(t));
  const degree = new Map();
  for (const l of list) for (const s of [l.parent, l.child]) degree.set(s, (degree.get(s) ?? 0) + l.callCount);
  const top = Math.max(...degree.values());
  assert.ok([...degree].some(([s, d]) => d === top && caption.includes(` of ${s}, the busiest`)), caption);
  await app.waitFor('drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  const busiest = nodes[0].node; // the table lists the most called first
  await app.page.click(`#graph-nodes tr[data-node="${busiest}"] button.link`);
  await app.waitFor('the neighbourhood drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  const drawn = Number(await app.page.getAttribute('#graph-canvas', 'data-nodes'));
  assert.ok(drawn >= 2 && drawn < nodes.length, `${drawn} nodes drawn`);
  // The whole graph cannot be asked for; one call around the node can.
  assert.equal(await app.page.locator('#graph-hops option[value=all]').isDisabled(), true);
  await app.page.selectOption('#graph-hops', '1');
  const near = new Set([busiest, ...list.filter((l) => l.parent === busiest).map((l) => l.child), ...list.filter((l) => l.child === busiest).map((l) => l.parent)]);
  await app.waitFor('one call around it drawn', () => app.page.getAttribute('#graph-canvas', 'data-nodes').then(Number), (n) => n === near.size);
});

appTest('from an edge to its slowest call, and from there to the waterfall with that span selected', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=graph');
  const { edges } = await graphTables(app);
  const busiest = edges[0];
  await app.page.click(`#graph-edges tr[data-from="${busiest.from}"][data-to="${busiest.to}"] button.link`);
  const calls = await app.waitFor('the edge\u2019s calls', () => rows(app.page, 'graph-edge-calls'), (r) => r.length > 0);
  assert.equal(calls.length, Math.min(100, Number(busiest.calls)));
  // A node lists the edges in and out of it.
  await app.page.click(`#graph-nodes tr[data-node="${busiest.to}"] button.link`);
  const listed = await app.waitFor('the node\u2019s edges', () => app.page.locator('#graph-node-edges li:not(.none)').allTextContents(), (l) => l.length > 0);
  assert.ok(listed.some((t) => t.startsWith(`${busiest.from} → ${busiest.to}`)), JSON.stringify(listed));
  // Back to the edge, then its slowest call in the waterfall.
  await app.page.click(`#graph-edges tr[data-from="${busiest.from}"][data-to="${busiest.to}"] button.link`);
  await app.waitFor('the edge\u2019s calls again', () => rows(app.page, 'graph-edge-calls'), (r) => r.length > 0);
  await app.page.click('#graph-edge-calls tbody tr:first-child button.show-span');
  await app.waitForCanvas();
  const detail = await app.waitFor('the calling span\u2019s details', () => app.detail(), (d) => d != null);
  assert.match(detail.fields.Service ?? JSON.stringify(detail), new RegExp(busiest.from));
  assert.doesNotMatch(app.page.url(), /view=graph/);
  assert.equal(await app.page.getAttribute('#view-waterfall', 'aria-selected'), 'true');
});

appTest('"Show in graph" in a span\u2019s details opens the graph on its service', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-checkout.otlp.json');
  await app.waitForCanvas();
  await app.clickRow(1);
  const detail = await app.waitFor('a span\u2019s details', () => app.detail(), (d) => d != null);
  await app.page.click('#show-in-graph');
  await graphTables(app);
  const listed = await app.waitFor('the service\u2019s edges', () => app.page.locator('#graph-node-edges h3').allTextContents(), (l) => l.length === 1);
  assert.deepEqual(listed, [detail.fields.Service]);
  assert.match(app.page.url(), /[#&]view=graph$/);
});

/** Moves over the graph's canvas until the tooltip names a node; returns where and which. */
async function findNodeOnCanvas(page) {
  const box = await page.locator('#graph-canvas').boundingBox();
  for (let y = 12; y < box.height; y += 14) {
    for (let x = 12; x < box.width; x += 14) {
      await page.mouse.move(box.x + x, box.y + y);
      const tip = await page.locator('#graph-tooltip div').first().textContent({ timeout: 50 }).catch(() => null);
      const name = tip?.match(/^(.*) \((service|database|messaging|external)\)$/)?.[1];
      if (name) return { x: box.x + x, y: box.y + y, name };
    }
  }
  throw new Error('no node found on the canvas');
}

appTest('hovering and clicking a node on the canvas, its neighbourhood, and its traces in the list', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=graph');
  const { nodes, edges } = await graphTables(app);
  await app.waitFor('the graph drawn', () => app.page.getAttribute('#graph-canvas', 'data-draws'), (d) => Number(d) > 0);
  // Hover: the tooltip names a node; a click chooses it and its panel lists its figures.
  const at = await findNodeOnCanvas(app.page);
  assert.ok(nodes.some((n) => n.node === at.name), at.name);
  await app.page.mouse.click(at.x, at.y);
  await app.waitFor('the node\u2019s panel', () => app.page.locator('#graph-node-edges h3').textContent(), (t) => t === at.name);
  const figures = await app.page.locator('#graph-node-edges dt').allTextContents();
  assert.ok(figures.includes('Spans') && figures.includes('Calls in / out'), JSON.stringify(figures));
  // Its neighbourhood: one call either way, then callees only.
  const callers = new Set(edges.filter((e) => e.to === at.name).map((e) => e.from));
  const callees = new Set(edges.filter((e) => e.from === at.name).map((e) => e.to));
  const drawnNodes = () => app.page.getAttribute('#graph-canvas', 'data-nodes').then(Number);
  await app.page.selectOption('#graph-hops', '1');
  const near = new Set([at.name, ...callers, ...callees]);
  await app.waitFor('one call around it drawn', drawnNodes, (n) => n === near.size);
  assert.match(await app.page.locator('#graph-drawn').textContent(), new RegExp(`within 1 call of ${at.name}`));
  await app.page.selectOption('#graph-direction', 'down');
  await app.waitFor('its callees drawn', drawnNodes, (n) => n === new Set([at.name, ...callees]).size);
  await app.page.selectOption('#graph-hops', 'all');
  await app.waitFor('the whole graph drawn again', drawnNodes, (n) => n === nodes.length);
  // Its traces in the list: those with a span of the service (or, for a database, a call).
  const file = JSON.parse(readFileSync(join(DIST_DIR, 'examples/shop-traces.jaeger.json'), 'utf8'));
  const total = file.data.length;
  await app.page.click('#show-traces');
  const count = Number(await app.waitFor('the filtered list', () => app.page.getAttribute('#trace-filter', 'data-count').catch(() => null), (c) => c != null));
  const rowsShown = (await app.traceRows()).length;
  assert.equal(rowsShown, count);
  const node = nodes.find((n) => n.node === at.name);
  if (node.spans !== '0') {
    const through = file.data.filter((t) => t.spans.some((s) => t.processes[s.processID].serviceName === at.name));
    assert.equal(count, through.length);
  }
  assert.ok(count > 0 && count <= total);
  assert.match(await app.page.locator('#trace-filter').textContent(), new RegExp(`of ${total} traces through ${at.name}`));
  await app.page.click('#trace-filter-clear');
  await app.waitFor('every trace listed again', () => app.traceRows().then((r) => r.length), (n) => n === total);
  // An edge's traces: fewer than its calls can be, never none.
  const busiest = edges[0];
  await app.page.click(`#graph-edges tr[data-from="${busiest.from}"][data-to="${busiest.to}"] button.link`);
  await app.page.click('#graph-edge-calls #show-traces');
  const withCall = Number(await app.waitFor('traces with the call', () => app.page.getAttribute('#trace-filter', 'data-count').catch(() => null), (c) => c != null));
  assert.ok(withCall > 0 && withCall <= Math.min(total, Number(busiest.calls)), `${withCall}`);
  assert.deepEqual(await app.messages('error'), []);
});

appTest('zoomed in, an overview shows the whole graph; pressing on it moves the view there', () => env, async ({ open }) => {
  const app = await open('index.html?url=examples/shop-traces.jaeger.json#view=graph');
  await app.page.setViewportSize({ width: 1400, height: 1000 });
  await graphTables(app);
  const draws = () => app.page.getAttribute('#graph-canvas', 'data-draws').then(Number);
  await app.waitFor('the graph drawn', draws, (d) => d > 0);
  const picture = () => app.page.evaluate(() => {
    const c = document.getElementById('graph-canvas');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < data.length; i += 97) h = (h * 31 + data[i]) >>> 0;
    return h;
  });
  // Fitted: everything is in view, no overview.
  assert.equal(await app.page.getAttribute('#graph-canvas', 'data-overview'), null);
  // The whole canvas in the window, so that its corner can be pressed.
  await app.page.locator('#graph-canvas').evaluate((c) => c.scrollIntoView({ block: 'end' }));
  const box = await app.page.locator('#graph-canvas').boundingBox();
  assert.ok(box.y + box.height <= 1001, `the canvas ends at ${box.y + box.height}`);
  await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 4; i++) await app.page.mouse.wheel(0, -300);
  await app.waitFor('the overview', () => app.page.getAttribute('#graph-canvas', 'data-overview'), (o) => o === 'shown');
  // Its bottom-right corner is the view's, 8 px in; pressing there shows that corner of
  // the graph, and chooses nothing.
  const before = await picture();
  const drawn = await draws();
  await app.page.mouse.click(box.x + box.width - 12, box.y + box.height - 12);
  await app.waitFor('the view moved', draws, (d) => d > drawn);
  assert.notEqual(await picture(), before);
  assert.equal(await app.page.locator('#graph-node-edges, #graph-edge-calls').count(), 0);
  // Fit shows everything again.
  await app.page.click('#graph-fit');
  await app.waitFor('no overview when fitted', () => app.page.getAttribute('#graph-canvas', 'data-overview'), (o) => o === null);
});

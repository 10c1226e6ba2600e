/**
 * Detection cost in a real browser: headless Chromium (the system's, through playwright-core)
 * with the built extension, on a CRM page of ROWS rows (5,000 by default) served from
 * 127.0.0.1. Measured in the page itself:
 *   - annotateMs: from the first call button to the last (the extension's whole pass),
 *     and readyMs: from DOMContentLoaded to the last button;
 *   - the longest main-thread task (PerformanceObserver "longtask", tasks over 50 ms) and the
 *     longest animation frame ("long-animation-frame", which includes style and layout) while
 *     the extension worked, against the same page without the extension.
 *
 *   node bench/detect-chromium.mjs [ROWS]
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../tools/build.mjs';
import { launch } from '../tools/chromium.mjs';
import { crmPage } from './page.mjs';

const PROBE = `<script>
window.__bench = { long: [], frames: [], first: 0, last: 0, count: 0, dcl: 0 };
new PerformanceObserver((list) => { for (const e of list.getEntries()) __bench.long.push([e.startTime, e.duration]); })
  .observe({ type: 'longtask', buffered: true });
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) __bench.frames.push([e.startTime, e.duration]); })
    .observe({ type: 'long-animation-frame', buffered: true });
} catch (error) { /* older Chromium */ }
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) if (n.localName === 'dialer-gui-call') {
    const t = performance.now(); if (!__bench.first) __bench.first = t; __bench.last = t; __bench.count += 1;
  }
}).observe(document.documentElement, { childList: true, subtree: true });
document.addEventListener('DOMContentLoaded', () => { __bench.dcl = performance.now(); });
</script>`;

function serve(html) {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const longest = (entries, from, to) =>
  Math.round(Math.max(0, ...entries.filter(([start, duration]) => start + duration >= from && start <= to).map(([, d]) => d)));

async function run(url, extension, rows) {
  const { context, close } = await launch({ extension });
  try {
    if (extension && !context.serviceWorkers().length) await context.waitForEvent('serviceworker', { timeout: 15000 });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    if (extension) {
      await page.waitForFunction((n) => globalThis.__bench.count >= n, rows, { timeout: 120000, polling: 100 });
    }
    await page.waitForTimeout(1000); // trailing frames and tasks
    return await page.evaluate(() => globalThis.__bench);
  } finally {
    await close();
  }
}

export async function measure(rows) {
  const out = mkdtempSync(join(tmpdir(), 'dialer-gui-bench-'));
  const server = await serve(crmPage(rows, { head: PROBE }));
  try {
    const extension = build(out).chromium.folder;
    const url = `http://127.0.0.1:${server.address().port}/contacts`;
    const withExt = await run(url, extension, rows);
    const without = await run(url, null, rows);
    return {
      rows,
      buttons: withExt.count,
      annotateMs: Math.round(withExt.last - withExt.first),
      readyMs: Math.round(withExt.last - withExt.dcl),
      longestTaskMs: longest(withExt.long, withExt.first, withExt.last),
      longestFrameMs: longest(withExt.frames, withExt.first, withExt.last),
      pageAloneLongestTaskMs: longest(without.long, 0, Infinity),
      pageAloneLongestFrameMs: longest(without.frames, 0, Infinity),
      longTasksWhileAnnotating: withExt.long.filter(([s, d]) => s + d >= withExt.first && s <= withExt.last).length,
    };
  } finally {
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measure(Number(process.argv[2] || 5000))));
}

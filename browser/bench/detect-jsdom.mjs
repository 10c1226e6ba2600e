/**
 * Detection cost in jsdom: the content scripts on a CRM page of ROWS rows (5,000 by default):
 * the time until every number has its button, the scheduler's slices and its longest one (the
 * longest stretch the extension holds the page's thread), the CPU time it took (steadier
 * than wall-clock time on a shared machine), and the library's own share.
 *
 *   node bench/detect-jsdom.mjs [ROWS]
 */
import { openPage, source } from '../test/support/harness.mjs';
import vm from 'node:vm';
import { crmPage } from './page.mjs';

export async function measure(rows) {
  const html = crmPage(rows);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const page = await openPage(html, { url: 'https://crm.example.com/contacts' });
  const annotateMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const buttons = page.document.querySelectorAll('dialer-gui-call').length;
  const stats = page.content.schedulerStats;
  const result = {
    rows,
    buttons,
    annotateMs: Math.round(annotateMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    slices: stats.slices,
    longestSliceMs: Math.round(stats.longestSliceMs * 10) / 10,
  };
  page.close();

  // The library alone, on the same cells' text, for comparison.
  const context = vm.createContext({});
  vm.runInContext(source('vendor/libphonenumber-max.js'), context);
  vm.runInContext(source('content/scan.js'), context);
  const cells = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' '));
  const libraryStart = performance.now();
  let found = 0;
  for (const text of cells) found += context.DialerGui.scan.findInText(text, 'US', context.libphonenumber).length;
  result.libraryMs = Math.round(performance.now() - libraryStart);
  result.libraryFound = found;
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] || 5000);
  console.log(JSON.stringify(await measure(rows)));
}

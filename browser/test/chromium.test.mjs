// The built extension in a real headless Chromium (the system's /usr/bin/chromium, driven by
// playwright-core), talking to a stand-in native host: a number's button pressed from the
// keyboard and a tel: link clicked both reach the host with the page address, and the popup
// pings it. Skipped where Chromium or playwright-core is missing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from '../tools/build.mjs';
import { EXECUTABLE, launch } from '../tools/chromium.mjs';
import { CHROMIUM_ID } from '../tools/targets.mjs';
import { ROOT } from './support/harness.mjs';

let playwright = true;
try {
  await import('playwright-core');
} catch {
  playwright = false;
}
const skip = !existsSync(EXECUTABLE) ? `no Chromium at ${EXECUTABLE}` : !playwright ? 'playwright-core is not installed' : false;

const PAGE = `<!doctype html><html><head><title>CRM</title></head><body>
<table><tr><td>Alice</td><td>(212) 555-0100</td></tr></table>
<p><a id="tel" href="tel:+12015550123">+1 201-555-0123</a></p></body></html>`;

let work;
let server;
let browser;
let log;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'dialer-gui-chromium-test-'));
  log = join(work, 'host.log');
  writeFileSync(log, '');
  const host = join(work, 'host.sh');
  writeFileSync(host, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'test', 'support', 'fake-native-host.mjs')}" "${log}" "$@"\n`);
  chmodSync(host, 0o755);
  server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const extension = build(join(work, 'dist')).chromium.folder;
  browser = await launch({
    extension,
    nativeHosts: {
      'app.dialer_gui.native_host': {
        name: 'app.dialer_gui.native_host',
        description: 'stand-in for the dialer-gui native host',
        path: host,
        type: 'stdio',
        allowed_origins: [`chrome-extension://${CHROMIUM_ID}/`],
      },
    },
  });
  if (!browser.context.serviceWorkers().length) await browser.context.waitForEvent('serviceworker', { timeout: 15000 });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const requests = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

async function until(check, what) {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('the service worker runs under the fixed extension ID', { skip }, () => {
  const [worker] = browser.context.serviceWorkers();
  assert.equal(worker.url(), `chrome-extension://${CHROMIUM_ID}/background/service-worker.js`);
});

test('a button pressed from the keyboard and a tel: link clicked reach the host', { skip }, async () => {
  const page = await browser.context.newPage();
  const url = `http://127.0.0.1:${server.address().port}/crm?session=x`;
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('dialer-gui-call').length === 1);
  const before = await page.evaluate(() => document.body.textContent);
  await page.keyboard.press('Tab'); // the first stop in the page is the call button
  await page.keyboard.press('Enter');
  await until(() => requests().length === 1, 'the button press');
  await page.click('#tel');
  await until(() => requests().length === 2, 'the link click');
  const page0 = `http://127.0.0.1:${server.address().port}/crm`;
  assert.deepEqual(requests(), [
    { origin: `chrome-extension://${CHROMIUM_ID}/`, request: { type: 'dial', text: '+12125550100', page: page0 } },
    { origin: `chrome-extension://${CHROMIUM_ID}/`, request: { type: 'dial', text: 'tel:+12015550123', page: page0 } },
  ]);
  assert.equal(page.url(), url, 'the link did not navigate');
  assert.equal(await page.evaluate(() => document.body.textContent), before);
  await page.close();
});

test('the popup pings the host and says the app is reachable', { skip }, async () => {
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${CHROMIUM_ID}/popup/popup.html`);
  await popup.waitForFunction(() => !/Asking/.test(document.getElementById('state').textContent));
  assert.equal(await popup.textContent('#state'), 'The desktop app is reachable (ready).');
  assert.deepEqual(requests().at(-1).request, { type: 'ping' });
  await popup.close();
});

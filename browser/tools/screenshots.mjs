/**
 * Screenshots for the docs, in headless Chromium with the built extension: the test CRM page
 * with its numbers found (a button focused from the keyboard and pressed, so the status line
 * shows what the app said; here, that its helper is not installed), and the options page and
 * popup, in light and dark.
 *
 *   node tools/screenshots.mjs [OUT_FOLDER]    (default: ../docs)
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { launch } from './chromium.mjs';
import { CHROMIUM_ID } from './targets.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = resolve(process.argv[2] || join(ROOT, '..', 'docs'));
const html = readFileSync(join(ROOT, 'test', 'pages', 'crm.html'));

const server = createServer((request, response) => {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.end(html);
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const dist = mkdtempSync(join(tmpdir(), 'dialer-gui-shots-'));
const extension = build(dist).chromium.folder;

async function shoot(colorScheme, suffix) {
  const { context, close } = await launch({ extension, colorScheme, viewport: { width: 860, height: 520 } });
  try {
    if (!context.serviceWorkers().length) await context.waitForEvent('serviceworker', { timeout: 15000 });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/contacts`);
    await page.waitForFunction(() => document.querySelectorAll('dialer-gui-call').length >= 7);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('dialer-gui-status')?.hidden);
    await page.screenshot({ path: join(OUT, `browser-page${suffix}.png`) });

    const options = await context.newPage();
    await options.setViewportSize({ width: 680, height: 500 });
    await options.goto(`chrome-extension://${CHROMIUM_ID}/options/options.html`);
    await options.fill('#allow', 'crm.example.com\nmailto:sales@example.com');
    await options.locator('#allow').blur();
    await options.waitForFunction(() => document.getElementById('allow-error').textContent !== '');
    await options.screenshot({ path: join(OUT, `browser-options${suffix}.png`) });

    const popup = await context.newPage();
    await popup.setViewportSize({ width: 330, height: 230 });
    await popup.goto(`chrome-extension://${CHROMIUM_ID}/popup/popup.html`);
    await popup.waitForFunction(() => !/Asking/.test(document.getElementById('state').textContent));
    await popup.screenshot({ path: join(OUT, `browser-popup${suffix}.png`) });
  } finally {
    await close();
  }
}

try {
  await shoot('light', '');
  await shoot('dark', '-dark');
  console.log(`screenshots in ${OUT}`);
} finally {
  server.close();
  rmSync(dist, { recursive: true, force: true });
}

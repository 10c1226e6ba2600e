/**
 * Draws the toolbar and store icons (src/icons/icon-N.png) from the app's own icon,
 * resources/icons/dialer-gui.svg, in headless Chromium. Run after the app icon changes; the
 * PNGs are kept in the repository because Chromium cannot show SVG extension icons.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const svg = readFileSync(join(ROOT, '..', 'resources', 'icons', 'dialer-gui.svg'), 'utf8');
const { context, close } = await launch();
try {
  const page = await context.newPage();
  for (const size of [16, 32, 48, 128]) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace(/width="64" height="64"/, `width="${size}" height="${size}"`);
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block}</style>${sized}`);
    await page.screenshot({ path: join(ROOT, 'src', 'icons', `icon-${size}.png`), omitBackground: true });
  }
} finally {
  await close();
}

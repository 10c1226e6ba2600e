/**
 * Starts the system's headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM) through
 * playwright-core, with a fresh profile and nothing that reaches the network on its own. For
 * the benchmark, the screenshots and the icons; the unit tests do not need it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A persistent context on a new profile; close() also removes the profile. nativeHosts are
 * native messaging host manifests to install in the profile (Chromium reads them from the
 * profile's NativeMessagingHosts folder), keyed by host name.
 */
export async function launch({ extension, nativeHosts = {}, colorScheme = 'light', viewport = { width: 900, height: 600 } } = {}) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('playwright-core is not installed: run "npm ci" in browser/ (it is optional)');
  }
  const profile = mkdtempSync(join(tmpdir(), 'dialer-gui-chromium-'));
  for (const [name, manifest] of Object.entries(nativeHosts)) {
    mkdirSync(join(profile, 'NativeMessagingHosts'), { recursive: true });
    writeFileSync(join(profile, 'NativeMessagingHosts', `${name}.json`), JSON.stringify(manifest));
  }
  const args = [...FLAGS];
  if (extension) args.push(`--disable-extensions-except=${extension}`, `--load-extension=${extension}`);
  // playwright-core adds the pipe it drives the browser through and --user-data-dir; its own
  // --disable-extensions would stop the extension from loading.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args,
    colorScheme,
    viewport,
    timeout: 30000,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

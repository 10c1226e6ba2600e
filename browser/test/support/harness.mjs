/**
 * Runs the extension's real files in tests: content scripts in a jsdom page (in the order the
 * manifest lists them, the library from node_modules as the build vendors it), the
 * background in a fresh JavaScript context, the popup and options pages in jsdom, all wired
 * to one fake browser (fake-browser.mjs).
 *
 * Closed shadow roots cannot be opened from outside, so the page's attachShadow is wrapped to
 * keep each root for the test to look into; nothing else about the page is changed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { JSDOM } from 'jsdom';
import { BACKGROUND_SCRIPTS, VENDOR } from '../../tools/targets.mjs';
import { createBrowser } from './fake-browser.mjs';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'src', 'manifest.base.json'), 'utf8'));
export const CONTENT_SCRIPTS = MANIFEST.content_scripts[0].js;

/** The text of a packaged file, from src/ or, for vendored files, from node_modules. */
export function source(path) {
  const vendored = VENDOR.find((item) => item.to === path);
  return readFileSync(join(ROOT, vendored ? vendored.from : join('src', path)), 'utf8');
}

function run(window, paths) {
  for (const path of paths) window.eval(`${source(path)}\n//# sourceURL=${path}`);
}

function newWindow(html, url, languages) {
  const dom = new JSDOM(html, { url, runScripts: 'outside-only', pretendToBeVisual: true });
  const { window } = dom;
  const roots = new WeakMap();
  const attach = window.Element.prototype.attachShadow;
  window.Element.prototype.attachShadow = function attachShadow(init) {
    const root = attach.call(this, init);
    roots.set(this, root);
    return root;
  };
  Object.defineProperty(window.navigator, 'languages', { get: () => languages });
  return { dom, window, roots };
}

/** Lets mutation observers and every queued detection slice run. */
export async function settle(page) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await page.content.scanner.whenIdle();
}

/**
 * Opens html as a page with the content scripts running in it.
 * @returns the page: window, document, browser (the fake), content (the scripts' handles),
 *   buttons() (the call buttons, inside their shadow roots), labels(), settle(), close()
 */
export async function openPage(html, options = {}) {
  const url = options.url ?? 'https://crm.example.com/contacts?session=s3cr3t#top';
  const browser = options.browser ?? createBrowser(options);
  if (options.settings) await browser.api.storage.sync.set(options.settings);
  const { window, roots } = newWindow(html, url, options.languages ?? ['en-US']);
  const frame = browser.contentApi(url, { tabId: options.tabId });
  const { api, tab } = frame;
  window.chrome = api;
  if (options.beforeScripts) options.beforeScripts(window);
  run(window, CONTENT_SCRIPTS);
  const page = {
    window,
    document: window.document,
    browser,
    tab,
    content: window.DialerGui.content,
    shadowOf: (host) => roots.get(host),
    buttons: () => [...window.document.querySelectorAll('dialer-gui-call')].map((host) => roots.get(host).querySelector('button')),
    labels: () => page.buttons().map((button) => button.getAttribute('aria-label')),
    settle: () => settle(page),
    close: () => {
      frame.close();
      window.close();
    },
  };
  await page.content.ready;
  await page.settle();
  return page;
}

/** Runs the background scripts against browser (a fake) and returns their handles. */
export function startBackground(browser) {
  const context = vm.createContext({ chrome: browser.api, URL, console, structuredClone, setTimeout, clearTimeout });
  for (const path of BACKGROUND_SCRIPTS) vm.runInContext(source(path), context, { filename: path });
  return context.DialerGui.background;
}

/** Opens one of the extension's own pages (popup/popup.html, options/options.html). */
export async function openExtensionPage(path, browser, { languages = ['en-US'] } = {}) {
  const html = source(path);
  const { window } = newWindow(html.replace(/<script src="[^"]*"><\/script>/g, ''), `chrome-extension://${browser.api.runtime.id}/${path}`, languages);
  window.chrome = browser.api;
  const scripts = [...html.matchAll(/<script src="([^"]*)"><\/script>/g)].map((m) =>
    join(dirname(path), m[1]).split('\\').join('/'),
  );
  run(window, scripts);
  return window;
}

export { createBrowser };

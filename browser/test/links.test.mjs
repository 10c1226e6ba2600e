// tel: and callto: links: a click goes to the desktop app through the background, with no
// browser prompt; other links, and every link of a site left alone, stay the browser's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBrowser, openPage, startBackground } from './support/harness.mjs';

const html = (body) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;

async function withApp(body, options = {}) {
  const browser = createBrowser({ nativeHost: options.nativeHost ?? (() => ({ ok: true, state: 'asking you to confirm' })) });
  startBackground(browser);
  const page = await openPage(html(body), { browser, ...options });
  return { browser, page };
}

function click(page, element, init = {}) {
  const event = new page.window.MouseEvent(init.type ?? 'click', { bubbles: true, cancelable: true, composed: true, button: 0, ...init });
  element.dispatchEvent(event);
  return event;
}

async function until(check) {
  for (let i = 0; i < 50 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(check(), 'timed out waiting');
}

test('a tel: link click is prevented and its href goes to the host with the page address', async () => {
  const { browser, page } = await withApp('<a id="l" href="tel:+1-212-555-0100;ext=23">Call us</a>');
  const event = click(page, page.document.querySelector('#l'));
  assert.equal(event.defaultPrevented, true);
  await until(() => browser.nativeMessages.length === 1);
  assert.deepEqual(browser.nativeMessages[0], {
    name: 'app.dialer_gui.native_host',
    message: { type: 'dial', text: 'tel:+1-212-555-0100;ext=23', page: 'https://crm.example.com/contacts' },
  });
  await until(() => page.content.status.text !== '');
  assert.equal(page.content.status.text, 'dialer-gui: asking you to confirm');
  page.close();
});

test('callto: links, upper case schemes, clicks on an element inside the link, and middle clicks', async () => {
  const { browser, page } = await withApp(
    '<a id="a" href="callto:+442079460958">x</a><a id="b" href=" TEL:+12125550100"><b id="inner">y</b></a><a id="c" href="tel:+33123456789">z</a>',
  );
  click(page, page.document.querySelector('#a'));
  click(page, page.document.querySelector('#inner'));
  const middle = click(page, page.document.querySelector('#c'), { type: 'auxclick', button: 1 });
  assert.equal(middle.defaultPrevented, true);
  await until(() => browser.nativeMessages.length === 3);
  assert.deepEqual(browser.nativeMessages.map((m) => m.message.text), ['callto:+442079460958', 'TEL:+12125550100', 'tel:+33123456789']);
  page.close();
});

test('a link inside an open shadow root of the page is taken over too', async () => {
  const { browser, page } = await withApp('<div id="widget"></div>');
  const shadow = page.document.getElementById('widget').attachShadow({ mode: 'open' });
  shadow.innerHTML = '<a href="tel:+12125550100">Call</a>';
  const event = click(page, shadow.querySelector('a'));
  assert.equal(event.defaultPrevented, true);
  await until(() => browser.nativeMessages.length === 1);
  page.close();
});

test('other links, right clicks and links of a site on the deny list are left alone', async () => {
  const { browser, page } = await withApp('<a id="web" href="https://example.com/tel:x">web</a><a id="tel" href="tel:+12125550100">t</a>');
  assert.equal(click(page, page.document.querySelector('#web')).defaultPrevented, false);
  assert.equal(click(page, page.document.querySelector('#tel'), { button: 2 }).defaultPrevented, false);
  page.close();
  const denied = await openPage(html('<a id="tel" href="tel:+12125550100">t</a>'), { browser, settings: { deny: ['example.com'] } });
  assert.equal(click(denied, denied.document.querySelector('#tel')).defaultPrevented, false);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(browser.nativeMessages.length, 0);
  denied.close();
});

test('detection off still takes over links', async () => {
  const { browser, page } = await withApp('<a id="tel" href="tel:+12125550100">+1 212 555 0100</a>', { settings: { detect: false } });
  assert.equal(click(page, page.document.querySelector('#tel')).defaultPrevented, true);
  await until(() => browser.nativeMessages.length === 1);
  page.close();
});

test('a call button press sends the number, shows the answer as plain text, and stops at the button', async () => {
  const hostile = '<img src=x onerror=alert(1)> refused\u202e';
  const { browser, page } = await withApp('<table><tr id="row"><td>(212) 555-0100</td></tr></table>', {
    nativeHost: () => ({ ok: false, error: hostile }),
  });
  let rowClicks = 0;
  page.document.getElementById('row').addEventListener('click', () => (rowClicks += 1));
  const [button] = page.buttons();
  button.click();
  button.click(); // a second press while the first is under way sends nothing more
  await until(() => page.content.status.text !== '');
  assert.equal(rowClicks, 0);
  assert.equal(browser.nativeMessages.length, 1);
  assert.deepEqual(browser.nativeMessages[0].message, { type: 'dial', text: '+12125550100', page: 'https://crm.example.com/contacts' });
  assert.equal(page.content.status.text, '<img src=x onerror=alert(1)> refused');
  const status = page.document.querySelector('dialer-gui-status');
  assert.equal(page.shadowOf(status).querySelector('img'), null, 'the answer was not read as HTML');
  assert.equal(page.shadowOf(status).querySelector('[role=status]').getAttribute('aria-live'), 'polite');
  await until(() => button.getAttribute('aria-disabled') === null);
  page.close();
});

test('a page whose extension was reloaded says to reload instead of failing silently', async () => {
  const browser = createBrowser();
  const page = await openPage(html('<a id="tel" href="tel:+12125550100">t</a>'), {
    browser,
    beforeScripts(window) {
      window.chrome.runtime.sendMessage = () => {
        throw new Error('Extension context invalidated.');
      };
    },
  });
  click(page, page.document.querySelector('#tel'));
  await until(() => page.content.status.text !== '');
  assert.match(page.content.status.text, /reload the page/);
  page.close();
});

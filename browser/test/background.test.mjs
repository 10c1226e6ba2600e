// The background: "Call selection" in the context menu, the keyboard shortcut, and what the
// user is told when the host is missing or the page cannot be reached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBrowser, openPage, startBackground } from './support/harness.mjs';

const html = (body) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;

test('the menu entry is made at install and at each start, without a duplicate', async () => {
  const browser = createBrowser();
  startBackground(browser);
  await Promise.all(browser.api.runtime.onInstalled.dispatch({ reason: 'install' }));
  await Promise.all(browser.api.runtime.onStartup.dispatch());
  assert.deepEqual([...browser.menus.values()], [{ id: 'call-selection', title: 'Call selection', contexts: ['selection'] }]);
});

test('"Call selection" sends the selected text and the frame address, and the page shows the answer', async () => {
  const browser = createBrowser({ nativeHost: () => ({ ok: true, state: 'calling +1 212 555 0100' }) });
  startBackground(browser);
  const page = await openPage(html('<p>x</p>'), { browser });
  const info = { menuItemId: 'call-selection', selectionText: ' +1 212 555 0100 ', pageUrl: 'https://crm.example.com/a', frameUrl: 'https://widgets.example.net/card?token=abc' };
  await Promise.all(browser.api.contextMenus.onClicked.dispatch(info, page.tab));
  assert.deepEqual(browser.nativeMessages.map((m) => m.message), [
    { type: 'dial', text: '+1 212 555 0100', page: 'https://widgets.example.net/card' },
  ]);
  assert.equal(page.content.status.text, 'dialer-gui: calling +1 212 555 0100');
  page.close();
});

test('a selection far too long for a number is not sent, and the user is told why', async () => {
  const browser = createBrowser();
  startBackground(browser);
  const page = await openPage(html('<p>x</p>'), { browser });
  const info = { menuItemId: 'call-selection', selectionText: '5'.repeat(5000), pageUrl: 'https://crm.example.com/' };
  await Promise.all(browser.api.contextMenus.onClicked.dispatch(info, page.tab));
  assert.equal(browser.nativeMessages.length, 0);
  assert.equal(page.content.status.text, 'The selection is too long to be a phone number (5000 characters).');
  page.close();
});

test('the shortcut reads the selection of the frame that has one, a field\'s selection included', async () => {
  const browser = createBrowser();
  startBackground(browser);
  const top = await openPage(html('<p>nothing selected here</p>'), { browser, url: 'https://crm.example.com/' });
  const frame = await openPage(html('<input id="f" value="Tel 646 555 0148 ok">'), {
    browser,
    tabId: top.tab.id,
    url: 'https://frame.example.org/embed',
  });
  const field = frame.document.getElementById('f');
  field.focus();
  field.setSelectionRange(4, 16);
  await Promise.all(browser.api.commands.onCommand.dispatch('call-selection', top.tab));
  assert.deepEqual(browser.nativeMessages.map((m) => m.message), [
    { type: 'dial', text: '646 555 0148', page: 'https://frame.example.org/embed' },
  ]);
  assert.equal(top.content.status.text, 'dialer-gui: ready');
  top.close();
  frame.close();
});

test('the shortcut with nothing selected asks for a selection; on an unreachable page the toolbar says why', async () => {
  const browser = createBrowser();
  startBackground(browser);
  const page = await openPage(html('<p>x</p>'), { browser });
  await Promise.all(browser.api.commands.onCommand.dispatch('call-selection', page.tab));
  assert.equal(page.content.status.text, 'Select a phone number on the page first, then press the shortcut again.');
  page.close();
  const bare = browser.openBareTab('chrome://settings/');
  await Promise.all(browser.api.commands.onCommand.dispatch('call-selection', bare));
  assert.equal(browser.badges.get(bare.id), '!');
  assert.match(browser.titles.get(bare.id), /cannot read this page/);
  assert.equal(browser.nativeMessages.length, 0);
});

test('a missing host becomes install steps in plain words, not the browser\'s error', async () => {
  const browser = createBrowser({
    nativeHost: () => {
      throw new Error('Specified native messaging host not found.');
    },
  });
  startBackground(browser);
  const page = await openPage(html('<p>+1 212 555 0100</p>'), { browser });
  page.buttons()[0].click();
  for (let i = 0; i < 50 && !page.content.status.text; i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.equal(
    page.content.status.text,
    'The desktop app\'s browser helper is not installed. Install the desktop app, run "dialer-gui register" once, then restart the browser.',
  );
  page.close();
});

test('messages of another shape, or from outside the extension, are ignored', async () => {
  const browser = createBrowser();
  startBackground(browser);
  const reply = await new Promise((resolve) => {
    const kept = browser.api.runtime.onMessage.listeners.map((fn) => fn({ type: 'dial', text: '1' }, { id: 'someone-else' }, resolve));
    if (!kept.includes(true)) resolve('ignored');
  });
  assert.equal(reply, 'ignored');
  assert.equal(await browser.api.runtime.sendMessage({ type: 'ping' }), undefined);
  assert.equal(await browser.api.runtime.sendMessage('dial'), undefined);
  assert.equal(browser.nativeMessages.length, 0);
});

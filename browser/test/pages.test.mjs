// The extension's own pages: the toolbar popup (is the app reachable?) and the options page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBrowser, openExtensionPage } from './support/harness.mjs';

test('the popup says the app is reachable, with the state the host gave', async () => {
  const browser = createBrowser({ nativeHost: () => ({ ok: true, state: 'running, office profile' }) });
  const window = await openExtensionPage('popup/popup.html', browser);
  await window.DialerGui.popup.ready;
  const state = window.document.getElementById('state');
  assert.equal(state.textContent, 'The desktop app is reachable (running, office profile).');
  assert.equal(state.className, 'good');
  assert.equal(window.document.getElementById('hint').hidden, true);
  assert.deepEqual(browser.nativeMessages.map((m) => m.message), [{ type: 'ping' }]);
});

test('the popup says how to install the host when it is missing, and checks again on request', async () => {
  let installed = false;
  const browser = createBrowser({
    nativeHost: () => {
      if (!installed) throw new Error('No such native application app.dialer_gui.native_host');
      return { ok: true, state: 'ready' };
    },
  });
  const window = await openExtensionPage('popup/popup.html', browser);
  await window.DialerGui.popup.ready;
  const doc = window.document;
  assert.equal(doc.getElementById('state').textContent, 'The desktop app is not reachable.');
  assert.equal(doc.getElementById('hint').hidden, false);
  assert.match(doc.getElementById('hint').textContent, /run "dialer-gui register" once, then restart the browser/);
  installed = true;
  doc.getElementById('again').click();
  for (let i = 0; i < 50 && !/reachable \(/.test(doc.getElementById('state').textContent); i += 1) await new Promise((r) => setTimeout(r, 2));
  assert.equal(doc.getElementById('state').textContent, 'The desktop app is reachable (ready).');
  doc.getElementById('options').click();
  assert.equal(browser.api.runtime.optionsOpened, 1);
});

test('the popup shows a hostile answer as text, never as markup', async () => {
  const browser = createBrowser({ nativeHost: () => ({ ok: false, error: '<b onmouseover=x>down</b>' }) });
  const window = await openExtensionPage('popup/popup.html', browser);
  await window.DialerGui.popup.ready;
  const hint = window.document.getElementById('hint');
  assert.equal(hint.querySelector('b'), null);
  assert.match(hint.textContent, /^<b onmouseover=x>down<\/b> Install the desktop app/);
});

test('the popup reads an answer of the wrong shape as not understood', async () => {
  const browser = createBrowser({ nativeHost: () => ['ok'] });
  const window = await openExtensionPage('popup/popup.html', browser);
  await window.DialerGui.popup.ready;
  assert.match(window.document.getElementById('hint').textContent, /^The desktop app sent an answer this extension does not understand\./);
});

test('the options page shows the stored settings and saves each change', async () => {
  const browser = createBrowser();
  await browser.api.storage.sync.set({ region: 'DE', detect: false, allow: ['crm.example.com'], deny: [] });
  const window = await openExtensionPage('options/options.html', browser, { languages: ['fr-FR'] });
  await window.DialerGui.options.ready;
  const doc = window.document;
  const $ = (id) => doc.getElementById(id);
  assert.equal($('detect').checked, false);
  assert.equal($('region').value, 'DE');
  assert.equal($('allow').value, 'crm.example.com');
  assert.equal($('region').options[0].textContent, "The browser's language (FR)");
  assert.ok([...$('region').options].some((o) => o.value === 'GB' && /\(\+44\)$/.test(o.textContent)));
  assert.ok($('region').options.length > 200);

  $('detect').checked = true;
  $('detect').dispatchEvent(new window.Event('change'));
  $('region').value = 'GB';
  $('region').dispatchEvent(new window.Event('change'));
  $('deny').value = 'https://Bank.Example.com/login?x=1\n\n*.intranet.example\n';
  $('deny').dispatchEvent(new window.Event('change'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(await browser.api.storage.sync.get(null), {
    region: 'GB',
    detect: true,
    allow: ['crm.example.com'],
    deny: ['bank.example.com', 'intranet.example'],
  });
  assert.equal($('deny').value, 'bank.example.com\nintranet.example');
  assert.equal($('saved').textContent, 'Saved.');
});

test('a list with lines that are not sites is not saved, and the lines are named', async () => {
  const browser = createBrowser();
  const window = await openExtensionPage('options/options.html', browser);
  await window.DialerGui.options.ready;
  const doc = window.document;
  const allow = doc.getElementById('allow');
  allow.value = 'crm.example.com\nmailto:someone@example.com\nnot a site at all';
  await window.DialerGui.options.saveList('allow');
  assert.equal(
    doc.getElementById('allow-error').textContent,
    'Line 2: "mailto:someone@example.com" is not a web site address. Line 3: "not a site at all" is not a web site address.',
  );
  assert.equal(allow.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await browser.api.storage.sync.get(null), {});
});

test('without sync storage the settings are kept on this computer', async () => {
  const browser = createBrowser();
  browser.failSyncStorage();
  const window = await openExtensionPage('options/options.html', browser);
  await window.DialerGui.options.ready;
  const detect = window.document.getElementById('detect');
  assert.equal(detect.checked, true);
  detect.checked = false;
  detect.dispatchEvent(new window.Event('change'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal((await browser.api.storage.local.get(null)).detect, false);
});

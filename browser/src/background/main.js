/**
 * The background: the one place that talks to the desktop app (through the native messaging
 * host), for the call buttons and taken-over links of pages, the "Call selection" menu entry
 * and the keyboard shortcut.
 *
 * It keeps no state between events, as MV3 asks: Chromium stops its service worker and
 * Firefox its event page when idle, so the menu entry is made again at every start and each
 * request stands alone. The page address sent with a request comes from the browser (the
 * sender's frame, the menu click's frame), not from what a page says about itself.
 */
(function (root) {
  'use strict';
  const ns = root.DialerGui;
  const api = root.browser ?? root.chrome;
  const MENU_ID = 'call-selection';
  const COMMAND = 'call-selection';
  const UNREADABLE =
    'The extension cannot read this page (a browser page, or one opened before the extension ' +
    'was installed: reload it). Copy the number and use "Dial clipboard" in dialer-gui instead.';
  const NOTHING_SELECTED = 'Select a phone number on the page first, then press the shortcut again.';

  async function dial(text, page) {
    const built = ns.protocol.dialRequest(text, page);
    if (built.error) return { ok: false, text: built.error };
    return ns.protocol.ask(api.runtime, built.request);
  }

  /** Shows an answer on the page; where no content script listens, on the toolbar button. */
  async function tell(tab, answer) {
    if (!tab || typeof tab.id !== 'number') return;
    try {
      await api.tabs.sendMessage(tab.id, { type: 'status', ok: answer.ok, text: answer.text }, { frameId: 0 });
      await api.action.setBadgeText({ tabId: tab.id, text: '' });
    } catch {
      await api.action.setBadgeText({ tabId: tab.id, text: answer.ok ? '' : '!' });
      await api.action.setTitle({ tabId: tab.id, title: answer.ok ? `dialer-gui: ${answer.text}` : answer.text });
    }
  }

  async function setUpMenu() {
    await api.contextMenus.removeAll();
    api.contextMenus.create({ id: MENU_ID, title: 'Call selection', contexts: ['selection'] });
  }

  api.runtime.onInstalled.addListener(setUpMenu);
  api.runtime.onStartup.addListener(setUpMenu);

  api.contextMenus.onClicked.addListener(async (info, tab) => {
    if (info.menuItemId !== MENU_ID) return;
    await tell(tab, await dial(info.selectionText, info.frameUrl || info.pageUrl || (tab && tab.url)));
  });

  api.commands.onCommand.addListener(async (command, tab) => {
    if (command !== COMMAND) return;
    const target = tab || (await api.tabs.query({ active: true, currentWindow: true }))[0];
    if (!target) return;
    let reply;
    try {
      reply = await api.tabs.sendMessage(target.id, { type: 'selection' });
    } catch {
      await tell(target, { ok: false, text: UNREADABLE });
      return;
    }
    const text = reply && typeof reply.text === 'string' ? reply.text : '';
    const page = reply && typeof reply.page === 'string' ? reply.page : '';
    await tell(target, text ? await dial(text, page) : { ok: false, text: NOTHING_SELECTED });
  });

  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== api.runtime.id || !message || typeof message !== 'object') return false;
    if (message.type === 'dial') {
      const page = sender.url || (sender.tab && sender.tab.url) || '';
      dial(message.text, page).then(sendResponse);
      return true; // answers later
    }
    return false;
  });

  ns.background = { dial, setUpMenu, MENU_ID, COMMAND };
})(globalThis);

/**
 * The content script's start: reads the settings, decides what this page gets (nothing, its
 * tel: links taken over, or numbers found in its text too), and carries presses to the
 * background, which talks to the desktop app.
 *
 * Runs in every frame of http(s) pages, after the page has loaded (document_idle), in the
 * extension's isolated world: the page cannot see or call anything here.
 */
(function (root) {
  'use strict';
  const ns = root.DialerGui;
  if (!ns || ns.contentStarted) return;
  ns.contentStarted = true;

  const api = root.browser ?? root.chrome;
  const lib = root.libphonenumber;
  const doc = root.document;
  const RELOAD = 'The browser companion was updated or turned off: reload the page, then try again.';

  const status = ns.affordance.createStatus(doc);
  let region = 'US';
  let stopLinks = null;

  async function send(message) {
    try {
      const answer = await api.runtime.sendMessage(message);
      return answer && typeof answer.text === 'string' ? answer : ns.protocol.readAnswer(null);
    } catch {
      return { ok: false, text: RELOAD };
    }
  }

  function show(answer) {
    status.show(answer.ok ? `dialer-gui: ${answer.text}` : answer.text, answer.ok);
  }

  function call(text, done) {
    send({ type: 'dial', text }).then((answer) => {
      show(answer);
      if (done) done();
    });
  }

  const scheduler = ns.createScheduler({ host: root });
  const scanner = ns.scan.createScanner({
    doc,
    lib,
    region: () => region,
    scheduler,
    makeButton: ns.affordance.createButtons(doc, (e164, label, done) => call(e164, done)),
  });

  function selectedText() {
    const active = doc.activeElement;
    if (active && (active.localName === 'input' || active.localName === 'textarea')) {
      try {
        const { selectionStart: start, selectionEnd: end } = active;
        if (typeof start === 'number' && end > start) return active.value.slice(start, end);
      } catch {
        // Inputs of a type without a selection (email, number) throw here.
      }
    }
    const selection = root.getSelection && root.getSelection();
    return selection ? selection.toString() : '';
  }

  async function apply() {
    const settings = await ns.settings.load(api);
    const previous = region;
    region = ns.settings.regionFor(settings, root.navigator.languages, (code) =>
      lib.isSupportedCountry(code),
    );
    const mode = ns.settings.modeFor(root.location.href, settings);
    if (mode === 'off' && stopLinks) {
      stopLinks();
      stopLinks = null;
    } else if (mode !== 'off' && !stopLinks) {
      stopLinks = ns.links.takeOverLinks(root, (href) => call(href));
    }
    if (mode !== 'detect') scanner.stop();
    else if (!scanner.running) scanner.start();
    else if (region !== previous) scanner.restart();
  }

  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || typeof message !== 'object' || sender.id !== api.runtime.id) return false;
    if (message.type === 'selection') {
      const text = selectedText().trim();
      if (!text) return false; // another frame may hold the selection
      sendResponse({ text, page: root.location.href });
      return false;
    }
    if (message.type === 'status' && typeof message.text === 'string') {
      show({ ok: message.ok === true, text: message.text });
    }
    return false;
  });
  api.storage.onChanged.addListener(() => {
    apply();
  });
  ns.content = { scanner, status, schedulerStats: scheduler.stats, ready: apply() };
})(globalThis);

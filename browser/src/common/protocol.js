/**
 * What the extension says to the desktop app's native messaging host, and how its answers are
 * read.
 *
 * Requests: {"type": "dial", "text": "...", "page": "https://..."} and {"type": "ping"}.
 * Answers: {"ok": true, "state": "..."} or {"ok": false, "error": "..."}, words for people.
 * The extension never dials: it sends text; the app parses it, asks, routes and records.
 *
 * Everything that comes back is treated as untrusted text: an answer of another shape, a
 * browser error, or a missing host all become one plain sentence (never HTML) for the user.
 *
 * A classic script (no modules): the background, popup and content scripts all load it.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  const HOST_NAME = 'app.dialer_gui.native_host';
  // A phone number, a link or a short selection. The host caps text as well; this keeps a
  // page-long selection from being sent at all, with a reason the user can act on.
  const MAX_TEXT = 1000;
  const MAX_PAGE = 2048;
  const MAX_ANSWER = 500;
  const INSTALL_HINT =
    'Install the desktop app, run "dialer-gui register" once, then restart the browser.';

  /** The page address the history records: no user name, password, query or fragment. */
  function pageForRecord(address) {
    let url;
    try {
      url = new URL(address);
    } catch {
      return '';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
    const page = `${url.origin}${url.pathname}`;
    return page.length > MAX_PAGE ? page.slice(0, MAX_PAGE) : page;
  }

  /** The dial request for text, or an error sentence when there is nothing sensible to send. */
  function dialRequest(text, pageAddress) {
    const value = typeof text === 'string' ? text.trim() : '';
    if (!value) return { error: 'Nothing to call: select a phone number first.' };
    if (value.length > MAX_TEXT) {
      return { error: `The selection is too long to be a phone number (${value.length} characters).` };
    }
    return { request: { type: 'dial', text: value, page: pageForRecord(pageAddress) } };
  }

  function plain(text) {
    // Control characters would show as boxes or reorder the line (bidi overrides).
    const cleaned = String(text)
      // eslint-disable-next-line no-control-regex -- matching them is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')
      .trim();
    return cleaned.length > MAX_ANSWER ? `${cleaned.slice(0, MAX_ANSWER - 1)}…` : cleaned;
  }

  /** An answer of the host as {ok, text}: text is plain words to show as they are. */
  function readAnswer(answer) {
    if (answer && typeof answer === 'object' && !Array.isArray(answer)) {
      if (answer.ok === true && typeof answer.state === 'string' && plain(answer.state)) {
        return { ok: true, text: plain(answer.state) };
      }
      if (answer.ok === false && typeof answer.error === 'string' && plain(answer.error)) {
        return { ok: false, text: plain(answer.error) };
      }
    }
    return { ok: false, text: 'The desktop app sent an answer this extension does not understand.' };
  }

  /** A failure of runtime.sendNativeMessage, in words (the browsers' messages differ). */
  function describeFailure(error) {
    const message = String((error && error.message) || error || '');
    if (/not found|no such native application|not installed/i.test(message)) {
      return `The desktop app's browser helper is not installed. ${INSTALL_HINT}`;
    }
    if (/forbidden|not allowed|access/i.test(message)) {
      return `The desktop app's browser helper does not accept this extension. ${INSTALL_HINT}`;
    }
    if (/exited|disconnected|unexpected/i.test(message)) {
      return 'The desktop app\'s browser helper stopped without answering. Run "dialer-gui doctor" to see why.';
    }
    return 'The desktop app could not be reached. Run "dialer-gui doctor" to see why.';
  }

  /** Sends one request to the host; never throws; resolves to {ok, text}. */
  async function ask(runtime, request) {
    try {
      return readAnswer(await runtime.sendNativeMessage(HOST_NAME, request));
    } catch (error) {
      return { ok: false, text: describeFailure(error) };
    }
  }

  ns.protocol = Object.freeze({
    HOST_NAME,
    MAX_TEXT,
    INSTALL_HINT,
    pageForRecord,
    dialRequest,
    readAnswer,
    describeFailure,
    ask,
  });
})(globalThis);

/**
 * The call button placed after a number, and the status line that tells what the app said.
 *
 * Both live in closed shadow roots: page styles and scripts cannot reach inside (a page's
 * `button { display: none }` or `* { font-size: 40px }` stops at the shadow boundary), and the
 * button's styles cannot leak out. The host element resets everything it could inherit or be
 * given (`all: initial !important` on :host wins over the page's rules, important ones too,
 * by the cascade's shadow-context order), then takes only the text colour and size around it,
 * so the icon matches the text it follows on light and dark pages alike.
 *
 * The button is a real <button>: in the tab order, Enter and Space press it, and a screen
 * reader hears "Call +1 212 555 0100, button". It has no text of its own (the icon is an SVG,
 * the words are its aria-label), so copying the page's text copies exactly the page's text.
 * Presses stop at the button, so a clickable table row underneath does not also open.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  const BUTTON_CSS = `
:host { all: initial !important; display: inline !important; color: inherit !important;
  font-size: inherit !important; line-height: 1 !important; }
button { all: unset; box-sizing: border-box; display: inline-flex; align-items: center;
  justify-content: center; width: 1.35em; height: 1.35em; margin: 0 0 0 0.4em;
  vertical-align: -0.25em; border-radius: 50%; color: inherit; opacity: 0.7; cursor: pointer; }
button:hover { opacity: 1; background: color-mix(in srgb, currentColor 12%, transparent); }
button:focus-visible { opacity: 1; outline: 2px solid currentColor; outline-offset: 1px; }
button[aria-disabled="true"] { opacity: 0.3; cursor: progress; }
svg { width: 0.95em; height: 0.95em; fill: currentColor; pointer-events: none; }
@media (forced-colors: active) { button { opacity: 1; color: ButtonText; } }
`;
  // A handset, drawn on a 24-unit grid.
  const ICON_PATH =
    'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 ' +
    '1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 ' +
    '3.57a1 1 0 0 1-.25 1l-2.2 2.2z';
  const SVG = 'http://www.w3.org/2000/svg';

  const STATUS_CSS = `
:host { all: initial !important; position: fixed !important; z-index: 2147483647 !important;
  right: 16px !important; bottom: 16px !important; display: block !important; }
:host([hidden]) { display: none !important; }
div { box-sizing: border-box; max-width: min(28rem, calc(100vw - 32px)); padding: 10px 14px;
  border-radius: 8px; font: 14px/1.4 system-ui, sans-serif; color: #fff; background: #202124;
  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.35); white-space: pre-wrap; overflow-wrap: anywhere; }
div.failed { background: #8c1d18; }
@media (prefers-color-scheme: dark) { div { color: #202124; background: #e8eaed; }
  div.failed { color: #fff; background: #b3261e; } }
`;
  const STOPPED = ['click', 'dblclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'auxclick'];

  /**
   * @param {Document} doc
   * @param {(e164: string, label: string, done: () => void) => void} onCall
   */
  function createButtons(doc, onCall) {
    // Built once from elements (no markup parsing), then cloned for each number.
    const template = doc.createDocumentFragment();
    const style = doc.createElement('style');
    style.textContent = BUTTON_CSS;
    const button = doc.createElement('button');
    button.type = 'button';
    const icon = doc.createElementNS(SVG, 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    icon.setAttribute('focusable', 'false');
    const path = doc.createElementNS(SVG, 'path');
    path.setAttribute('d', ICON_PATH);
    icon.append(path);
    button.append(icon);
    template.append(style, button);

    /** A host element holding a call button for number (a libphonenumber-js PhoneNumber). */
    return function makeButton(number) {
      const host = doc.createElement(ns.scan.HOST_TAG);
      const shadow = host.attachShadow({ mode: 'closed' });
      shadow.append(template.cloneNode(true));
      const button = shadow.querySelector('button');
      const label = `Call ${number.formatInternational()}`;
      button.setAttribute('aria-label', label);
      button.title = label;
      for (const type of STOPPED) {
        button.addEventListener(type, (event) => event.stopPropagation());
      }
      button.addEventListener('click', (event) => {
        event.preventDefault();
        if (button.getAttribute('aria-disabled') === 'true') return;
        button.setAttribute('aria-disabled', 'true');
        onCall(number.number, label, () => button.removeAttribute('aria-disabled'));
      });
      return host;
    };
  }

  /** The one status line of a page: show(text, ok) puts words in it, as plain text. */
  function createStatus(doc, hideAfterMs = 8000) {
    let host = null;
    let box = null;
    let timer = 0;
    const view = doc.defaultView;

    function ensure() {
      if (host && host.isConnected) return;
      host = doc.createElement('dialer-gui-status');
      host.hidden = true;
      const shadow = host.attachShadow({ mode: 'closed' });
      const style = doc.createElement('style');
      style.textContent = STATUS_CSS;
      box = doc.createElement('div');
      box.setAttribute('role', 'status');
      box.setAttribute('aria-live', 'polite');
      shadow.append(style, box);
      doc.documentElement.append(host);
    }

    return {
      show(text, ok) {
        ensure();
        box.textContent = text;
        box.className = ok ? '' : 'failed';
        host.hidden = false;
        view.clearTimeout(timer);
        timer = view.setTimeout(() => {
          host.hidden = true;
        }, hideAfterMs);
      },
      /** What is shown now ('' when hidden), for tests and the popup's page check. */
      get text() {
        return host && !host.hidden ? box.textContent : '';
      },
    };
  }

  ns.affordance = Object.freeze({ createButtons, createStatus });
})(globalThis);

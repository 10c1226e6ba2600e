/**
 * Takes over the page's tel: and callto: links: a click (or Enter on a focused link, or a
 * middle click) sends the link to the desktop app instead of the browser asking which program
 * should open it.
 *
 * The listener sits on the window in the capture phase, so it runs before the page's own
 * handlers and sees links inside open shadow roots too (through the event's composed path).
 * The default action is prevented and nothing else: the page's own handlers still run. The
 * whole href goes to the app as it is (the app checks links as hostile input, as it does for
 * links the operating system hands it), never parsed here.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  const SCHEMES = /^\s*(?:tel|callto):/i;

  function linkOf(event) {
    for (const target of event.composedPath()) {
      if (target && target.nodeType === 1 && (target.localName === 'a' || target.localName === 'area')) {
        const href = target.getAttribute('href');
        return href !== null && SCHEMES.test(href) ? { element: target, href: href.trim() } : null;
      }
    }
    return null;
  }

  /**
   * @param {Window} view
   * @param {(href: string) => void} onLink
   * @returns {() => void} stops taking links over
   */
  function takeOverLinks(view, onLink) {
    function listener(event) {
      if (event.defaultPrevented) return;
      if (event.type === 'click' && event.button !== 0) return;
      if (event.type === 'auxclick' && event.button !== 1) return;
      const link = linkOf(event);
      if (!link) return;
      event.preventDefault();
      onLink(link.href);
    }
    view.addEventListener('click', listener, true);
    view.addEventListener('auxclick', listener, true);
    return () => {
      view.removeEventListener('click', listener, true);
      view.removeEventListener('auxclick', listener, true);
    };
  }

  ns.links = Object.freeze({ takeOverLinks });
})(globalThis);

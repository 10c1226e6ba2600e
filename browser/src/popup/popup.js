/**
 * The toolbar popup: asks the native host whether the desktop app is reachable and says so in
 * plain words; when it is not, how to install the host. Every word from outside is shown as
 * text (textContent), never as HTML.
 */
(function (root) {
  'use strict';
  const ns = root.DialerGui;
  const api = root.browser ?? root.chrome;
  const doc = root.document;
  const state = doc.getElementById('state');
  const hint = doc.getElementById('hint');

  async function check() {
    state.className = '';
    state.textContent = 'Asking the desktop app…';
    hint.hidden = true;
    const answer = await ns.protocol.ask(api.runtime, { type: 'ping' });
    if (answer.ok) {
      state.className = 'good';
      state.textContent = `The desktop app is reachable (${answer.text}).`;
    } else {
      state.className = 'bad';
      state.textContent = 'The desktop app is not reachable.';
      hint.textContent = answer.text.includes('dialer-gui')
        ? answer.text
        : `${answer.text} ${ns.protocol.INSTALL_HINT}`;
      hint.hidden = false;
    }
  }

  doc.getElementById('again').addEventListener('click', check);
  doc.getElementById('options').addEventListener('click', () => api.runtime.openOptionsPage());
  ns.popup = { ready: check() };
})(globalThis);

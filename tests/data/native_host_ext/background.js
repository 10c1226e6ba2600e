// Hands each request from the page to the native host and the host's reply back.
chrome.runtime.onMessage.addListener((request, _sender, reply) => {
  chrome.runtime.sendNativeMessage("app.dialer_gui.native_host", request).then(
    (answer) => reply(answer),
    (error) => reply({ ok: false, error: String(error) }),
  );
  return true; // the reply comes later
});

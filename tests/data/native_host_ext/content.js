// The least the end-to-end test needs of the real companion (browser/): a "Call ..." button
// after each number written in the page's text, and tel: links taken over. Each reply from
// the host is kept in the page's <body data-dialer-replies> for the test to read.
const NUMBER = /\+?\d[\d ()\-.]{6,}\d/g;

function send(text) {
  chrome.runtime.sendMessage({ type: "dial", text, page: location.href }, (answer) => {
    const seen = JSON.parse(document.body.dataset.dialerReplies || "[]");
    seen.push(answer);
    document.body.dataset.dialerReplies = JSON.stringify(seen);
  });
}

const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  acceptNode: (node) =>
    node.parentElement.closest("a, button, script, style") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
});
const found = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) found.push(node);
for (const node of found) {
  for (const match of node.textContent.matchAll(NUMBER)) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "📞";
    button.setAttribute("aria-label", `Call ${match[0]}`);
    button.addEventListener("click", () => send(match[0]));
    node.after(button);
  }
}

document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest('a[href^="tel:"], a[href^="callto:"]');
    if (!link) return;
    event.preventDefault();
    send(link.getAttribute("href"));
  },
  true,
);

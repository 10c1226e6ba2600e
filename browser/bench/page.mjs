/**
 * The benchmark's page: a CRM contact list of `rows` rows, each with a phone number in one of
 * several notations, an e-mail address, a date and an order ID (which must not match), the
 * kind of page desk users keep open all day.
 */
const NOTATIONS = [
  (i) => `(212) 555-${String(1000 + (i % 9000))}`,
  (i) => `+1 646 555 ${String(1000 + (i % 9000))}`,
  (i) => `212.555.${String(1000 + (i % 9000))}`,
  (i) => `+44 20 7946 ${String(i % 1000).padStart(4, '0')}`,
  (i) => `<span>+49 30</span> <span>${1234000 + (i % 999)}</span>`,
];

export function crmPage(rows, { head = '' } = {}) {
  const body = [];
  for (let i = 0; i < rows; i += 1) {
    body.push(
      `<tr><td>Contact ${i}</td><td>Company ${i % 97}</td><td>${NOTATIONS[i % NOTATIONS.length](i)}</td>` +
        `<td>contact${i}@example.com</td><td>2024-${String(1 + (i % 12)).padStart(2, '0')}-15</td><td>#${900000000 + i}</td></tr>`,
    );
  }
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Contacts</title>${head}` +
    '<style>body{font:14px system-ui,sans-serif}td{padding:2px 8px;border-bottom:1px solid #eee}</style></head>' +
    `<body><h1>Contacts</h1><table><thead><tr><th>Name</th><th>Company</th><th>Phone</th><th>E-mail</th>` +
    `<th>Created</th><th>Order</th></tr></thead><tbody>${body.join('')}</tbody></table></body></html>`
  );
}

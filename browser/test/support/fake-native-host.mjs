/**
 * A stand-in for the desktop app's native messaging host, for the real-browser test: speaks
 * the browsers' stdio protocol (a 4-byte length in native byte order, then UTF-8 JSON), writes
 * each request it gets as a line of JSON to the file named by its first argument, and answers
 * {"ok": true, "state": "ready"} to a ping and {"ok": true, "state": "handed to the app"} to a
 * dial. The browser passes the calling extension's origin as an argument; it is recorded too.
 */
import { appendFileSync } from 'node:fs';

const [log] = process.argv.slice(2).filter((arg) => !arg.startsWith('chrome-extension://'));
const origin = process.argv.find((arg) => arg.startsWith('chrome-extension://')) || '';
let buffer = Buffer.alloc(0);

process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  while (buffer.length >= 4) {
    const length = buffer.readUInt32LE(0);
    if (buffer.length < 4 + length) return;
    const request = JSON.parse(buffer.subarray(4, 4 + length).toString('utf8'));
    buffer = buffer.subarray(4 + length);
    appendFileSync(log, `${JSON.stringify({ origin, request })}\n`);
    const answer = Buffer.from(JSON.stringify({ ok: true, state: request.type === 'ping' ? 'ready' : 'handed to the app' }));
    const header = Buffer.alloc(4);
    header.writeUInt32LE(answer.length, 0);
    process.stdout.write(Buffer.concat([header, answer]));
  }
});

// dcmjs-dimse's storage SCU for the benchmark: sends a file, or every .dcm file under a folder,
// over one association.
// Usage: node store-scu.js --host HOST --port PORT --input FILE|DIR [--aec AET]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dimse = require('dcmjs-dimse');

const { Client, log } = dimse;
const { CStoreRequest } = dimse.requests;
const { Status } = dimse.constants;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port'));
const input = option('input');
const aec = option('aec', 'ANY-SCP');
if (!port || !input) {
  process.stderr.write('usage: node store-scu.js --host HOST --port PORT --input FILE|DIR\n');
  process.exit(2);
}
log.setLevel('error');

function dicomFiles(folder) {
  const out = [];
  for (const e of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(folder, e.name);
    if (e.isDirectory()) out.push(...dicomFiles(p));
    else if (e.isFile() && e.name.endsWith('.dcm')) out.push(p);
  }
  return out;
}

const files = fs.statSync(input).isDirectory() ? dicomFiles(input) : [input];
let ok = 0;
let failed = 0;
const client = new Client();
for (const file of files) {
  const request = new CStoreRequest(file);
  request.on('response', (response) => {
    if (response.getStatus() === Status.Success) ok++;
    else failed++;
  });
  client.addRequest(request);
}
client.on('networkError', (e) => {
  process.stderr.write(`network error: ${e.message}\n`);
  process.exit(3);
});
client.on('closed', () => {
  process.stdout.write(`stored ${ok} of ${files.length}${failed ? `, ${failed} failed` : ''}\n`);
  process.exit(ok === files.length ? 0 : 1);
});
client.send(host, port, 'DCMJSSCU', aec);

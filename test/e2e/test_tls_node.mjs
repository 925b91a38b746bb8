// wss:// with Node's `ws` (Debian node-ws) as the client: the websocket_echo_server sample with
// --tls-cert/--tls-key, on one thread and on four, with a test CA made at test time by the
// openssl command. Run by `node --test`; every wait has a deadline.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer, stopServerCleanly, withDeadline } from './browser_support.mjs';

// ESM ignores NODE_PATH; require() honours it.
const require = createRequire(import.meta.url);
const WebSocket = require('ws');

function makeCertificates() {
    const dir = mkdtempSync(join(tmpdir(), 'restinio-tls-node-'));
    const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 60000 });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=node test CA');
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
            '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf');
    return { dir, ca: readFileSync(join(dir, 'ca.pem')), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

function open(url, ca) {
    const ws = new WebSocket(url, { ca, perMessageDeflate: false, maxPayload: 0 });
    return withDeadline(new Promise((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
    }), 10000, 'open');
}

function echo(ws, data, binary) {
    return withDeadline(new Promise((resolve, reject) => {
        ws.once('message', (reply, isBinary) => resolve({ reply: Buffer.from(reply), isBinary }));
        ws.send(data, { binary }, (e) => e && reject(e));
    }), 30000, 'echo');
}

function closeWith(ws, code, reason) {
    return withDeadline(new Promise((resolve) => {
        ws.once('close', (c, r) => resolve({ code: c, reason: r.toString() }));
        ws.close(code, reason);
    }), 10000, 'close');
}

for (const threads of ['1', '4']) {
    describe(`wss echo with node ws, ${threads} thread(s)`, () => {
        let certs;
        let server;
        before(async () => {
            certs = makeCertificates();
            server = await startServer('WEBSOCKET_ECHO_SERVER',
                ['--port', '0', '--threads', threads, '--tls-cert', certs.cert, '--tls-key', certs.key]);
        });
        after(async () => {
            await stopServerCleanly(server);
            rmSync(certs.dir, { recursive: true, force: true });
        });

        test('text and binary of several sizes come back', async () => {
            const ws = await open(`wss://127.0.0.1:${server.port}/`, certs.ca);
            for (const size of [0, 1, 126, 20000, 65536, 1 << 20]) {
                const data = randomBytes(size);
                const { reply, isBinary } = await echo(ws, data, true);
                assert.ok(isBinary);
                assert.ok(reply.equals(data), `binary ${size}`);
            }
            const { reply, isBinary } = await echo(ws, 'héllo wss', false);
            assert.equal(isBinary, false);
            assert.equal(reply.toString(), 'héllo wss');
            assert.deepEqual(await closeWith(ws, 4001, 'done'), { code: 4001, reason: 'done' });
        });

        test('20 clients at once', async () => {
            const clients = await Promise.all(Array.from({ length: 20 },
                () => open(`wss://127.0.0.1:${server.port}/`, certs.ca)));
            await Promise.all(clients.map(async (ws, i) => {
                const { reply } = await echo(ws, `client ${i}`, false);
                assert.equal(reply.toString(), `client ${i}`);
                await closeWith(ws, 1000, '');
            }));
        });

        test('a client that does not trust the server is refused', async () => {
            await assert.rejects(open(`wss://127.0.0.1:${server.port}/`, undefined));
            const ws = await open(`wss://127.0.0.1:${server.port}/`, certs.ca);
            await closeWith(ws, 1000, '');
        });
    });
}

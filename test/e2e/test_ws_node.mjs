// End-to-end tests with Node's `ws` (Debian node-ws, found through NODE_PATH) as the client,
// against e2e_server_ws_scenarios and the websocket_echo_server sample. Run by `node --test`.
// Every wait has a deadline; servers run on ephemeral ports and are stopped after each suite,
// which fails unless they exit 0 without a sanitizer report.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

// ESM ignores NODE_PATH; require() honours it.
const require = createRequire(import.meta.url);
const WebSocket = require('ws');

// The port is printed right after bind(), before listen(): wait until connections are accepted.
async function waitListening(port, deadlineMs) {
    const net = await import('node:net');
    const until = Date.now() + deadlineMs;
    for (;;) {
        const ok = await new Promise((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
            s.on('error', () => resolve(false));
        });
        if (ok)
            return;
        if (Date.now() > until)
            throw new Error(`nothing listens on 127.0.0.1:${port}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

async function startServer(envName, args) {
    const server = await spawnServer(envName, args);
    await waitListening(server.port, 10000);
    return server;
}

// What AddressSanitizer, LeakSanitizer, UBSan and ThreadSanitizer print when they find something.
const SANITIZER_REPORT = /ERROR: (?:Address|Leak|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer|: runtime error: /;

// Starts the server and collects all it prints (stdout and stderr) until it ends, so a full pipe
// never blocks it and stopAndCheck() sees every sanitizer report.
function spawnServer(envName, args) {
    const path = process.env[envName];
    if (!path)
        throw new Error(`${envName} is not set (run the tests through ctest)`);
    const proc = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = { path, proc, port: 0, output: '' };
    server.ended = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no port from ${path}: ${server.output}`)), 10000);
        const collect = (chunk) => {
            server.output += chunk;
            const m = server.port === 0 && /:(\d{2,5})\//.exec(server.output);
            if (m) {
                clearTimeout(timer);
                server.port = Number(m[1]);
                resolve(server);
            }
        };
        proc.stdout.setEncoding('utf8').on('data', collect);
        proc.stderr.setEncoding('utf8').on('data', collect);
        server.ended.then(({ code, signal }) => {
            clearTimeout(timer);
            reject(new Error(`${path} exited (${code ?? signal}) before listening: ${server.output}`));
        });
    });
}

// Stops the server with SIGTERM (SIGKILL after 10 s, which fails) and fails unless it exited 0
// and printed no sanitizer report.
async function stopAndCheck(server) {
    const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10000);
    if (server.proc.exitCode === null && server.proc.signalCode === null)
        server.proc.kill('SIGTERM');
    const { code, signal } = await server.ended;
    clearTimeout(timer);
    const problems = [];
    if (code !== 0)
        problems.push(`ended with ${code === null ? `signal ${signal}` : `exit code ${code}`}`);
    if (SANITIZER_REPORT.test(server.output))
        problems.push('printed a sanitizer report');
    if (problems.length > 0)
        throw new Error(`${server.path} ${problems.join(' and ')}; its output:\n${server.output}`);
}

function withDeadline(promise, ms, what) {
    let timer;
    return Promise.race([
        promise.finally(() => clearTimeout(timer)),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
    ]);
}

// A client that queues incoming messages, so a test can await them one at a time.
class client_t {
    constructor(url, protocols, perMessageDeflate = false) {
        this.ws = new WebSocket(url, protocols, { perMessageDeflate, maxPayload: 0 });
        this.messages = [];
        this.waiters = [];
        this.ws.on('message', (data, isBinary) => {
            const m = { data: Buffer.from(data), isBinary };
            const w = this.waiters.shift();
            if (w) w(m); else this.messages.push(m);
        });
        this.closed = new Promise((resolve) => {
            this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
        });
        this.ws.on('error', () => {});   // 'close' follows and carries the outcome
    }

    open() {
        return withDeadline(new Promise((resolve, reject) => {
            this.ws.once('open', resolve);
            this.ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
            this.ws.once('error', reject);
        }), 5000, 'open');
    }

    next() {
        const m = this.messages.shift();
        if (m) return Promise.resolve(m);
        return withDeadline(new Promise((resolve) => this.waiters.push(resolve)), 10000, 'message');
    }

    send(data, options = {}) {
        return new Promise((resolve, reject) => this.ws.send(data, options, (e) => (e ? reject(e) : resolve())));
    }

    async close(code, reason) {
        this.ws.close(code, reason);
        return this.whenClosed();
    }

    whenClosed() {
        return withDeadline(this.closed, 5000, 'close');
    }
}

async function connect(url, protocols, perMessageDeflate = false) {
    const c = new client_t(url, protocols, perMessageDeflate);
    await c.open();
    return c;
}

async function stats(port, tag) {
    const res = await fetch(`http://127.0.0.1:${port}/stats?tag=${tag}`);
    return res.json();
}

async function waitStats(port, tag, predicate) {
    const deadline = Date.now() + 5000;
    for (;;) {
        const s = await stats(port, tag);
        if (predicate(s) || Date.now() > deadline)
            return s;
        await new Promise((r) => setTimeout(r, 20));
    }
}

let tagCounter = 0;
const newTag = () => `node${process.pid}x${++tagCounter}`;

describe('ws_scenarios server with node ws', () => {
    let server;
    const url = (path, tag) => `ws://127.0.0.1:${server.port}${path}?tag=${tag}`;

    before(async () => {
        server = await startServer('E2E_SERVER_WS_SCENARIOS', ['--close-wait-ms', '1000', '--timer-ms', '100']);
    });
    after(() => stopAndCheck(server));

    test('echoes text and binary of every length class', async () => {
        const c = await connect(url('/echo', newTag()));
        for (const n of [0, 1, 125, 126, 127, 65535, 65536, 1 << 20]) {
            const text = 'ü'.repeat(Math.floor(n / 2)) + 'a'.repeat(n % 2);
            await c.send(text);
            const t = await c.next();
            assert.equal(t.isBinary, false, `text of ${n} bytes`);
            assert.equal(t.data.toString('utf8'), text);
            const bin = randomBytes(n);
            await c.send(bin);
            const b = await c.next();
            assert.equal(b.isBinary, true, `binary of ${n} bytes`);
            assert.ok(b.data.equals(bin), `binary of ${n} bytes`);
        }
        assert.deepEqual(await c.close(1000), { code: 1000, reason: '' });
    });

    test('fragmented sends are echoed and reassembled', async () => {
        const tag = newTag();
        const c = await connect(url('/echo', tag));
        await c.send('frag', { fin: false });
        await c.send('men', { fin: false });
        await c.send('ted €', { fin: true });
        assert.equal((await c.next()).data.toString(), 'fragmented €');
        await c.send(Buffer.from([1, 2]), { fin: false, binary: true });
        await c.send(Buffer.alloc(70000, 3), { fin: true, binary: true });
        const b = await c.next();
        assert.equal(b.isBinary, true);
        assert.ok(b.data.equals(Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(70000, 3)])));
        await c.close(1000);
        const s = await waitStats(server.port, tag, (s) => s.closes.length > 0);
        assert.equal(s.messages, 5);   // one handler call per frame
        assert.deepEqual(s.closes, [1000]);
    });

    test('ping gets a pong with the same payload', async () => {
        const c = await connect(url('/echo', newTag()));
        for (const payload of [Buffer.alloc(0), Buffer.from('ping!'), randomBytes(125)]) {
            const pong = withDeadline(new Promise((resolve) => c.ws.once('pong', resolve)), 3000, 'pong');
            c.ws.ping(payload);
            assert.ok((await pong).equals(payload));
        }
        await c.close(1000);
    });

    test('client close codes and reasons are echoed', async () => {
        for (const [code, reason] of [[1000, ''], [1001, 'away'], [1011, 'oops'], [3000, 'x'], [4999, 'fermé ✓']]) {
            const tag = newTag();
            const c = await connect(url('/echo', tag));
            assert.deepEqual(await c.close(code, reason), { code, reason });
            const s = await waitStats(server.port, tag, (s) => s.closes.length > 0);
            assert.deepEqual(s.closes, [code]);
        }
    });

    test('server shutdown() gives 1000', async () => {
        const c = await connect(url('/shutdown-after-first', newTag()));
        await c.send('first');
        assert.equal((await c.next()).data.toString(), 'first');
        assert.deepEqual(await c.whenClosed(), { code: 1000, reason: '' });
    });

    test('user close 1001 "bye"', async () => {
        const c = await connect(url('/close-1001-bye', newTag()));
        await c.send('x');
        assert.equal((await c.next()).data.toString(), 'x');
        assert.deepEqual(await c.whenClosed(), { code: 1001, reason: 'bye' });
    });

    test('kill() drops the connection without a close frame', async () => {
        const c = await connect(url('/kill-after-first', newTag()));
        await c.send('x');
        assert.deepEqual(await c.whenClosed(), { code: 1006, reason: '' });
    });

    test('release of the last handle closes with 1000', async () => {
        const c = await connect(url('/release', newTag()));
        await c.send('x');
        assert.equal((await c.next()).data.toString(), 'x');
        assert.deepEqual(await c.whenClosed(), { code: 1000, reason: '' });
    });

    test('subprotocol chosen by upgrade overload (C)', async () => {
        const c = await connect(url('/subprotocol', newTag()), ['superchat', 'chat']);
        assert.equal(c.ws.protocol, 'chat');
        await c.close(1000);
    });

    test('a refused handshake is an HTTP error for the client', async () => {
        await assert.rejects(connect(url('/no-such-path', newTag())), /HTTP 404/);
    });
});

describe('websocket_echo_server sample with node ws', () => {
    let server;
    const url = () => `ws://127.0.0.1:${server.port}/`;

    before(async () => {
        server = await startServer('WEBSOCKET_ECHO_SERVER',
            ['--port', '0', '--threads', '2', '--max-message-size', '100000']);
    });
    after(() => stopAndCheck(server));

    test('50 concurrent clients, 20 echoes each', async () => {
        const one = async (i) => {
            const c = await connect(url());
            for (let j = 0; j < 20; ++j) {
                const text = `client ${i} message ${j} ` + 'x'.repeat((i * 31 + j) % 300);
                await c.send(j % 2 ? Buffer.from(text) : text);
                const m = await c.next();
                assert.equal(m.isBinary, j % 2 === 1);
                assert.equal(m.data.toString(), text);
            }
            assert.deepEqual(await c.close(1000, `bye ${i}`), { code: 1000, reason: `bye ${i}` });
        };
        await withDeadline(Promise.all(Array.from({ length: 50 }, (_, i) => one(i))), 30000, '50 clients');
    });

    test('ping is answered with pong', async () => {
        const c = await connect(url());
        const pong = withDeadline(new Promise((resolve) => c.ws.once('pong', resolve)), 3000, 'pong');
        c.ws.ping('hi');
        assert.equal((await pong).toString(), 'hi');
        await c.close(1000);
    });

    test('a message over --max-message-size gets 1009', async () => {
        const ok = await connect(url());
        await ok.send(Buffer.alloc(100000, 1));
        assert.equal((await ok.next()).data.length, 100000);
        await ok.close(1000);

        const c = await connect(url());
        await c.send(Buffer.alloc(100001, 1));
        assert.deepEqual(await c.whenClosed(), { code: 1009, reason: '' });

        const f = await connect(url());     // the limit covers the whole fragmented message
        await f.send('a'.repeat(60000), { fin: false });
        await f.send('a'.repeat(60000), { fin: true });
        assert.deepEqual(await f.whenClosed(), { code: 1009, reason: '' });
    });
});

describe('ws_scenarios server with whole messages, node ws', () => {
    let server;
    const url = (path, tag) => `ws://127.0.0.1:${server.port}${path}?tag=${tag}`;

    before(async () => {
        server = await startServer('E2E_SERVER_WS_SCENARIOS',
            ['--close-wait-ms', '1000', '--timer-ms', '100', '--whole-messages', '1', '--max-message-size', '100000']);
    });
    after(() => stopAndCheck(server));

    test('fin:false frames with pings between them reach the handler as one message', async () => {
        const tag = newTag();
        const c = await connect(url('/echo', tag));
        const pongs = [];
        c.ws.on('pong', (data) => pongs.push(data.toString()));
        await c.send('frag', { fin: false });
        c.ws.ping('between');
        await c.send('men', { fin: false });
        await c.send('ted €', { fin: true });
        assert.equal((await c.next()).data.toString(), 'fragmented €');
        assert.deepEqual(pongs, ['between'], 'the pong came before the echo of the whole message');
        await c.send(Buffer.from([1, 2]), { fin: false, binary: true });
        await c.send(Buffer.alloc(70000, 3), { fin: true, binary: true });
        const b = await c.next();
        assert.equal(b.isBinary, true);
        assert.ok(b.data.equals(Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(70000, 3)])));
        await c.close(1000);
        const s = await waitStats(server.port, tag, (s) => s.closes.length > 0);
        assert.equal(s.messages, 3);   // two messages and the ping, where frame by frame made 6
        assert.deepEqual(s.closes, [1000]);
    });

    test('fragments over the message-size limit get 1009; the server keeps serving', async () => {
        const tag = newTag();
        const f = await connect(url('/echo', tag));
        await f.send('a'.repeat(50000), { fin: false });
        await f.send('a'.repeat(50000), { fin: false });    // 100000: the limit exactly
        await f.send('a', { fin: true }).catch(() => {});   // one byte over
        assert.deepEqual(await f.whenClosed(), { code: 1009, reason: '' });
        const s = await waitStats(server.port, tag, (s) => s.closes.length > 0);
        assert.deepEqual([s.messages, s.closes], [0, [1009]]);

        const ok = await connect(url('/echo', newTag()));
        await ok.send('b'.repeat(50000), { fin: false });
        await ok.send('b'.repeat(50000), { fin: true });
        assert.equal((await ok.next()).data.toString(), 'b'.repeat(100000));
        await ok.close(1000);
    });

    test('frame_by_frame() on one upgrade: fragments come back one by one', async () => {
        const tag = newTag();
        const c = await connect(url('/echo-frames', tag));
        await c.send('frag', { fin: false });
        await c.send('ment', { fin: true });
        assert.equal((await c.next()).data.toString(), 'fragment');
        await c.close(1000);
        const s = await waitStats(server.port, tag, (s) => s.closes.length > 0);
        assert.equal(s.messages, 2);
    });
});

// permessage-deflate (RFC 7692): ws's default offer, and one asking for context takeover both
// ways against a server that allows it. ws's threshold (1 KiB) leaves small messages plain.
for (const [name, serverArgs, offer] of [
    ['no context takeover', ['--deflate'], true],
    ['context takeover', ['--deflate-takeover', '--deflate-window-bits', '12', '--deflate-mem-level', '5'],
        { serverNoContextTakeover: false, clientNoContextTakeover: false, threshold: 0 }],
]) {
    describe(`websocket_echo_server --deflate with node ws, ${name}`, () => {
        let server;
        const url = () => `ws://127.0.0.1:${server.port}/`;

        before(async () => {
            server = await startServer('WEBSOCKET_ECHO_SERVER', ['--port', '0', ...serverArgs]);
        });
        after(() => stopAndCheck(server));

        test('negotiates and echoes text and binary from 0 B to 16 MiB', async () => {
            const c = new client_t(url(), undefined, offer);
            const agreed = new Promise((resolve) =>
                c.ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-extensions'])));
            await c.open();
            assert.equal(await agreed, name === 'no context takeover'
                ? 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'
                : 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12');
            for (const n of [0, 1, 100, 5000, 70000, 1 << 20, 16 << 20]) {
                const text = '{"k":"v","n":12345},'.repeat(Math.ceil(n / 20)).slice(0, n);
                await c.send(text);
                assert.equal((await c.next()).data.toString(), text, `text ${n}`);
                const data = randomBytes(n);
                await c.send(data);
                assert.ok((await c.next()).data.equals(data), `binary ${n}`);
            }
            // Many messages sharing a window (with takeover) or not.
            for (let i = 0; i < 200; ++i) {
                const text = `{"seq":${i},"payload":"${'abc'.repeat(i % 50)}"}`;
                await c.send(text);
                assert.equal((await c.next()).data.toString(), text);
            }
            assert.deepEqual(await c.close(1000), { code: 1000, reason: '' });
        });
    });
}

// The websocket_chat sample in headless Chromium, as people would use it: two tabs join and talk,
// HTML in a message stays text, the limits show, a newcomer gets the history, and when the server
// stops the tabs say so and come back once it is up again. Screenshots of a desktop and a phone
// tab are left in build/test/e2e/artifacts/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { artifactsDir, launchChromium, startServer, stopServerCleanly, waitUntil, withDeadline } from './browser_support.mjs';

// ESM ignores NODE_PATH; require() honours it (Debian's node-ws).
const WebSocket = createRequire(import.meta.url)('ws');

let server;
let browser;

before(async () => {
    // Pings every second: the tabs must stay through several of them.
    server = await startServer('WEBSOCKET_CHAT', ['--port', '0', '--ping-interval', '1']);
    browser = await launchChromium('chromium-chat.log');
});

after(async () => {
    await browser?.close();
    if (server)
        await stopServerCleanly(server);
});

const js = JSON.stringify;

function get(path, port = server.port) {
    return withDeadline(new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
            let body = '';
            res.on('data', (chunk) => { body += chunk; });
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        }).on('error', reject);
    }), 10000, `GET ${path}`);
}

// What a person does: click the field, type, press Enter.
async function type(page, selector, text) {
    await page.evaluate(`document.querySelector(${js(selector)}).focus()`);
    await page.send('Input.insertText', { text });
    for (const type of ['keyDown', 'keyUp'])
        await page.send('Input.dispatchKeyEvent', { type, key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' });
}

async function join(page, nickname) {
    await page.evaluate(`document.getElementById('nickname').value = ''`);   // the last tab's, remembered
    await type(page, '#nickname', nickname);
    await page.waitFor(`document.getElementById('status').textContent === ${js('Connected as ' + nickname)}`,
        `${nickname} to be connected`);
}

// True once the pane shows a message from `from` with exactly `text` (marked own or not).
const shows = (from, text, own) => `[...document.querySelectorAll('#messages .message')].some((m) =>
    m.querySelector('.from').textContent === ${js(from)} && m.querySelector('.text').textContent === ${js(text)}
    && m.classList.contains('own') === ${own})`;
const showsNotice = (text) => `[...document.querySelectorAll('#messages .notice')].some((n) => n.textContent === ${js(text)})`;
const online = `[...document.querySelectorAll('#online li')].map((li) => li.textContent).sort().join(',')`;
const errorText = `document.getElementById('error').textContent`;
const inputText = `document.getElementById('text').value`;

test('HTTP: the page on /, 404 elsewhere, 426 for a plain GET of /chat', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /<title>RESTinio chat<\/title>/);
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await get('/chat/room')).status, 404);
    const plain = await get('/chat');
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.upgrade, 'websocket');
    assert.equal((await get('/')).status, 200, 'still serving');
});

test('two tabs chat, limits hold, and the page rides out a server restart', async (t) => {
    const alice = await browser.newPage(`http://127.0.0.1:${server.port}/`);
    const bob = await browser.newPage(`http://127.0.0.1:${server.port}/`, { width: 390, height: 760, mobile: true });

    await t.test('nicknames, join notices and who is online', async () => {
        console.log(`screenshot: ${await bob.screenshot('chat-join-phone.png')}`);
        await join(alice, 'alice');
        await join(bob, 'bob 🐻');
        await alice.waitFor(showsNotice('bob 🐻 joined'), 'alice to see bob join');
        await alice.waitFor(`${online} === ${js('alice,bob 🐻')}`, 'both online in alice\'s list');
        await bob.waitFor(`${online} === ${js('alice,bob 🐻')}`, 'both online in bob\'s list');
        assert.equal(await alice.evaluate(`document.querySelector('#online .own').textContent`), 'alice');
    });

    await t.test('messages reach both tabs, own ones marked', async () => {
        await type(alice, '#text', 'Hi Bob! 👋 How is the new server?');
        await bob.waitFor(shows('alice', 'Hi Bob! 👋 How is the new server?', false), 'bob to get alice\'s message');
        await alice.waitFor(shows('alice', 'Hi Bob! 👋 How is the new server?', true), 'alice to see her own message');
        assert.equal(await alice.evaluate(inputText), '', 'the input is cleared after sending');

        await type(bob, '#text', 'Fast 🚀 and it has a phone layout too');
        await alice.waitFor(shows('bob 🐻', 'Fast 🚀 and it has a phone layout too', false), 'alice to get bob\'s reply');
    });

    await t.test('HTML in a message is shown as text and runs nothing', async () => {
        const html = '<img src=x onerror="window.pwned=1"><b>bold?</b><script>window.pwned=2</script>';
        await type(bob, '#text', html);
        await alice.waitFor(shows('bob 🐻', html, false), 'alice to get the HTML as text');
        await bob.waitFor(shows('bob 🐻', html, true), 'bob to see it as text');
        for (const page of [alice, bob]) {
            assert.equal(await page.evaluate(`document.querySelectorAll('#messages img, #messages b, #messages script').length`), 0);
            assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
        }
    });

    await t.test('screenshots', async () => {
        const reply = 'Ha, your <img> stayed text 😄 Screenshot time 📸';
        await type(alice, '#text', reply);
        await bob.waitFor(shows('alice', reply, false), 'the last message');
        await alice.waitFor(shows('alice', reply, true), 'the last message on alice\'s tab');
        console.log(`screenshots: ${await alice.screenshot('chat-desktop.png')} ${await bob.screenshot('chat-phone.png')}`);
    });

    // Chromium sends a message over 64 KiB in several frames. The sample has the library join
    // them (websocket_whole_messages); before, a relay that took each frame for a message passed
    // on only the first one (70,000 characters sent, 64,464 received).
    await t.test('long messages, sent by Chromium in fragments, reach the other tab whole', async () => {
        const limit = 1024 * 1024;
        // Numbered pieces, so a lost, doubled or reordered fragment cannot go unnoticed.
        const numbered = (bytes) => `(() => { let s = ''; for (let i = 0; s.length < ${bytes}; ++i) s += i + ','; return s.slice(0, ${bytes}); })()`;
        const cases = [
            ['70,000 characters', numbered(70000)],
            ['1 MiB, the limit exactly', `${numbered(limit - 5)} + 'é✓'`],
        ];
        for (const [what, text] of cases) {
            assert.equal(await alice.evaluate(`window.sent = ${text}; new TextEncoder().encode(window.sent).length <= ${limit}`), true);
            await bob.evaluate(`window.expected = ${text}; true`);
            await alice.evaluate(`document.getElementById('text').value = window.sent; document.getElementById('send').click(); true`);
            const arrived = `[...document.querySelectorAll('#messages .message')].some((m) =>
                m.querySelector('.from').textContent === 'alice' && m.querySelector('.text').textContent === window.expected)`;
            await bob.waitFor(arrived, `bob to get the message of ${what} whole`, { describe: `'${what}: ' +
                [...document.querySelectorAll('#messages .message .text')].map((t) => t.textContent.length).join(', ')` });
            assert.equal(await alice.evaluate(errorText), '');
        }
        assert.equal(await bob.evaluate(`new TextEncoder().encode(window.expected).length`), limit);
    });

    await t.test('a message over the limit is refused visibly', async () => {
        const limit = 1024 * 1024;
        await alice.evaluate(`document.getElementById('text').value = 'x'.repeat(${limit + 1}); document.getElementById('send').click(); true`);
        assert.equal(await alice.evaluate(errorText), `Not sent: the message is ${limit + 1} bytes, the limit is ${limit}.`);
        assert.equal(await alice.evaluate(`${inputText} === 'x'.repeat(${limit + 1})`), true, 'the refused text stays in the input');
        await alice.evaluate(`document.getElementById('text').value = ''`);
        await type(alice, '#text', 'after the refused one');
        await bob.waitFor(shows('alice', 'after the refused one', false), 'bob to get the next message');
        assert.equal(await bob.evaluate(`[...document.querySelectorAll('#messages .text')].some((t) => t.textContent.startsWith('xxxx'))`), false);
        assert.equal(await alice.evaluate(errorText), '', 'a successful send clears the error');
    });

    await t.test('the server closes a connection that sends too much with 1009', async () => {
        // A client other than the page (the page refuses to send it): a socket of its own in
        // alice's tab, whose message Chromium sends in fragments, so the limit holds over all of
        // them. Its close event carries the code the server sent.
        const code = await alice.evaluate(`new Promise((resolve, reject) => {
            const ws = new WebSocket('ws://127.0.0.1:${server.port}/chat');
            ws.onopen = () => { ws.send('mallory'); ws.send('x'.repeat(1024 * 1024 + 1)); };
            ws.onclose = (e) => resolve(e.code);
            setTimeout(() => reject(new Error('no close within 10 s')), 10000);
        })`);
        assert.equal(code, 1009);
        await alice.waitFor(showsNotice('mallory left'), 'the room to see mallory leave');
        assert.equal(await alice.evaluate(online), 'alice,bob 🐻');
    });

    await t.test('a message sent in fragments (by Node\'s ws) reaches the tabs whole', async () => {
        const dave = new WebSocket(`ws://127.0.0.1:${server.port}/chat`);
        await withDeadline(new Promise((resolve, reject) => { dave.on('open', resolve); dave.on('error', reject); }), 10000, 'ws to connect');
        const parts = ['Ünïcödé 🎉 '.repeat(150), 'middle '.repeat(300), 'end ✓'];
        dave.send('dave');
        parts.forEach((part, i) => dave.send(part, { fin: i === parts.length - 1 }));
        await bob.waitFor(shows('dave', parts.join(''), false), 'bob to get dave\'s message whole');
        dave.close(1000);
        await alice.waitFor(showsNotice('dave left'), 'alice to see dave leave');
    });

    await t.test('a new tab gets the recent history; closing it is a leave', async () => {
        const carol = await browser.newPage(`http://127.0.0.1:${server.port}/`);
        await join(carol, 'carol');
        await carol.waitFor(shows('alice', 'Hi Bob! 👋 How is the new server?', false), 'carol to get the history');
        await carol.waitFor(shows('bob 🐻', 'Fast 🚀 and it has a phone layout too', false), 'carol to get all of it');
        await bob.waitFor(`${online} === ${js('alice,bob 🐻,carol')}`, 'carol online for bob');
        await carol.close();
        await alice.waitFor(showsNotice('carol left'), 'alice to see carol leave');
        await alice.waitFor(`${online} === ${js('alice,bob 🐻')}`, 'carol gone from the list');
    });

    await t.test('a tab that reconnects does not show the history twice', async () => {
        const messages = `document.querySelectorAll('#messages .message').length`;
        const before = await alice.evaluate(messages);
        await alice.evaluate(`chat.socket.close(4000, 'test')`);
        await alice.waitFor(showsNotice('Connection closed (4000 test)'), 'alice to see the close');
        await alice.waitFor(`document.getElementById('status').textContent === 'Connected as alice'`, 'alice to reconnect');
        await type(bob, '#text', 'welcome back');
        await alice.waitFor(shows('bob 🐻', 'welcome back', false), 'alice to get the next message');
        assert.equal(await alice.evaluate(messages), before + 1);
    });

    await t.test('server stop: the close code shows, sending fails visibly, the tabs reconnect', async () => {
        const port = server.port;
        await stopServerCleanly(server);
        for (const page of [alice, bob])
            await page.waitFor(showsNotice('Connection closed (1001)'), 'the tab to show the close code');
        await alice.waitFor(`document.getElementById('status').textContent.startsWith('Disconnected (1001), retrying in')`,
            'the status to say so');

        await type(alice, '#text', 'sent while the server is down');
        assert.equal(await alice.evaluate(errorText), 'Not sent: not connected to the server.');
        assert.equal(await alice.evaluate(inputText), 'sent while the server is down', 'the text is kept');
        console.log(`screenshot: ${await alice.screenshot('chat-disconnected.png')}`);

        server = await startServer('WEBSOCKET_CHAT', ['--port', String(port), '--ping-interval', '1']);
        for (const [page, name] of [[alice, 'alice'], [bob, 'bob 🐻']])
            await page.waitFor(`document.getElementById('status').textContent === ${js('Connected as ' + name)}`,
                `${name} to reconnect`, { ms: 30000 });
        await alice.waitFor(`${online} === ${js('alice,bob 🐻')}`, 'both back online');
        assert.equal(await alice.evaluate(errorText), '', 'the error goes once connected');

        await alice.evaluate(`document.getElementById('send').click()`);   // the kept text, sent now
        await bob.waitFor(shows('alice', 'sent while the server is down', false), 'bob to get the kept message');
    });

    console.log(`artifacts in ${artifactsDir}`);
});

test('the server logs at INFO, and TRACE only with --verbose', async () => {
    assert.match(server.output, /INFO: alice joined/);
    assert.doesNotMatch(server.output, /TRACE/);
    const verbose = await startServer('WEBSOCKET_CHAT', ['--port', '0', '--verbose']);
    try {
        assert.equal((await get('/', verbose.port)).status, 200);
    } finally {
        await stopServerCleanly(verbose);
    }
    assert.match(verbose.output, /TRACE/);
});

// The server's end of the TCP connection from `clientPort` in /proc/net/tcp: its state (7 is
// CLOSE) and how many bytes wait in its receive queue; null once the kernel has dropped it.
function serverSocket(serverPort, clientPort) {
    for (const line of readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1)) {
        const [, local, remote, state, queues] = line.trim().split(/\s+/);
        if (parseInt(local.split(':')[1], 16) === serverPort && parseInt(remote.split(':')[1], 16) === clientPort)
            return { state: parseInt(state, 16), received: parseInt(queues.split(':')[1], 16) };
    }
    return null;
}

async function joinRoom(port, nickname) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
    ws.events = [];
    ws.on('message', (data) => ws.events.push(JSON.parse(data)));
    ws.on('error', () => {});
    await withDeadline(new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('close', reject); }), 10000, `${nickname} to connect`);
    ws.send(nickname);
    await waitUntil(() => ws.events.some((e) => e.type === 'welcome'), `${nickname} to be welcomed`);
    return ws;
}

test('a member whose socket was reset while a message is broadcast leaves; the server stays', async () => {
    // The server is stopped while `a` says something and `b`'s socket is reset, so that when it
    // goes on, the broadcast of a's message is the first to find b's socket gone.
    const room = await startServer('WEBSOCKET_CHAT', ['--port', '0']);
    const chat = Number(readFileSync(`/proc/${room.proc.pid}/task/${room.proc.pid}/children`, 'utf8'));   // under `timeout`
    try {
        const a = await joinRoom(room.port, 'a');
        const b = await joinRoom(room.port, 'b');
        await waitUntil(() => a.events.some((e) => e.type === 'join' && e.name === 'b'), 'a to see b join');
        process.kill(chat, 'SIGSTOP');
        try {
            await new Promise((resolve) => a.send('hello', resolve));
            await waitUntil(() => serverSocket(room.port, a._socket.localPort)?.received > 0, 'a\'s message to be queued');
            const bPort = b._socket.localPort;
            b._socket.resetAndDestroy();
            await waitUntil(() => (serverSocket(room.port, bPort)?.state ?? 7) === 7, 'the reset to reach the server\'s socket');
        } finally {
            process.kill(chat, 'SIGCONT');
        }
        await waitUntil(() => a.events.some((e) => e.type === 'message' && e.text === 'hello'), 'a\'s message back');
        await waitUntil(() => a.events.some((e) => e.type === 'leave' && e.name === 'b'), 'b to leave');
        assert.equal((await get('/', room.port)).status, 200, 'still serving');
        a.close();
    } finally {
        await stopServerCleanly(room);
    }
});

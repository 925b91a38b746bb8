// 1,000 messages from headless Chromium through the websocket_echo_server sample, every echoed
// byte compared by the page itself (browser_echo_page.html): 1 MiB binaries, text from 1- to
// 4-byte UTF-8, and sizes at the frame-length boundaries; then the same with permessage-deflate
// on (websocket_echo_server --deflate), which Chromium's default offer must negotiate.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, startServer, stopServerCleanly } from './browser_support.mjs';

let server;
let deflateServer;
let browser;

before(async () => {
    server = await startServer('WEBSOCKET_ECHO_SERVER', ['--port', '0']);
    deflateServer = await startServer('WEBSOCKET_ECHO_SERVER', ['--port', '0', '--deflate']);
    browser = await launchChromium('chromium-echo.log');
});

after(async () => {
    await browser?.close();
    for (const s of [server, deflateServer])
        if (s)
            await stopServerCleanly(s);
});

async function echoThrough(port) {
    const page = await browser.newPage(new URL(`browser_echo_page.html?port=${port}`, import.meta.url).href);
    const result = await page.waitFor(`document.getElementById('result').textContent`, 'the page\'s verdict',
        { ms: 180000, describe: `document.getElementById('progress').textContent` });
    console.log(`${result}`);
    return result;
}

test('1,000 messages of mixed sizes come back byte for byte', async () => {
    assert.match(await echoThrough(server.port), /^ok: 1000 messages.*, extensions ""$/);
});

test('with permessage-deflate, negotiated from Chromium\'s default offer', async () => {
    assert.match(await echoThrough(deflateServer.port),
        /^ok: 1000 messages.*, extensions "permessage-deflate; server_no_context_takeover; client_no_context_takeover"$/);
});

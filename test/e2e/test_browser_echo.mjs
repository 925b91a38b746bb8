// 1,000 messages from headless Chromium through the websocket_echo_server sample, every echoed
// byte compared by the page itself (browser_echo_page.html): 1 MiB binaries, text from 1- to
// 4-byte UTF-8, and sizes at the frame-length boundaries.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, startServer, stopServerCleanly } from './browser_support.mjs';

let server;
let browser;

before(async () => {
    server = await startServer('WEBSOCKET_ECHO_SERVER', ['--port', '0']);
    browser = await launchChromium('chromium-echo.log');
});

after(async () => {
    await browser?.close();
    if (server)
        await stopServerCleanly(server);
});

test('1,000 messages of mixed sizes come back byte for byte', async () => {
    const page = await browser.newPage(new URL(`browser_echo_page.html?port=${server.port}`, import.meta.url).href);
    const result = await page.waitFor(`document.getElementById('result').textContent`, 'the page\'s verdict',
        { ms: 180000, describe: `document.getElementById('progress').textContent` });
    console.log(`${result}`);
    assert.match(result, /^ok: 1000 messages/);
});

// What the browser tests (test_browser_*.mjs) share: a sample server on 127.0.0.1, and Debian's
// headless Chromium driven over the DevTools protocol. Chromium talks to us over a pipe
// (--remote-debugging-pipe: messages are JSON ended by a NUL byte), so it opens no debugging port,
// and it exits when the pipe closes, which it does when this process dies.
//
// Every wait has a deadline. A page is waited on by polling a condition in it (Runtime.evaluate)
// until it holds, never by sleeping for a guessed time.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

// Where a test leaves what a person may want to look at: build/test/e2e/artifacts (ctest runs a
// test in its build directory).
export const artifactsDir = join(process.cwd(), 'artifacts');

const poll_interval_ms = 50;

export function withDeadline(promise, ms, what) {
    let timer;
    return Promise.race([
        promise.finally(() => clearTimeout(timer)),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
    ]);
}

// Polls `check` (sync or async) until it returns something truthy, and returns that.
export async function waitUntil(check, what, ms = 10000) {
    const until = Date.now() + ms;
    for (;;) {
        const value = await check();
        if (value)
            return value;
        if (Date.now() > until)
            throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, poll_interval_ms));
    }
}

async function waitListening(port, deadlineMs) {
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
        await new Promise((r) => setTimeout(r, poll_interval_ms));
    }
}

// Runs `command` under `timeout`, which SIGKILLs it after `seconds` even if this process has
// been killed meanwhile. With `group`, `timeout` puts the command and its children in a process
// group of their own, killed together (killGroup); without, `timeout` passes a SIGTERM to the
// command alone (in a group, a SIGTERM would reach the command a second time, and could kill it
// once it has stopped handling the first).
function spawnBounded(seconds, command, args, options, { group = false } = {}) {
    return spawn('timeout', [...(group ? [] : ['--foreground']), '-s', 'KILL', String(seconds), command, ...args],
        options);
}

const killGroup = (proc) => {
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
};

// Starts the binary named by the environment variable `envName` (ctest sets it), waits for the
// port it prints and for that port to accept connections. Its output is kept in `server.output`.
export async function startServer(envName, args, { hardLimitSeconds = 240 } = {}) {
    const path = process.env[envName];
    if (!path)
        throw new Error(`${envName} is not set (run the tests through ctest)`);
    const proc = spawnBounded(hardLimitSeconds, path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = { proc, port: 0, output: '' };
    const collect = (chunk) => { server.output += chunk; };
    proc.stdout.on('data', collect);
    proc.stderr.on('data', collect);
    server.port = await withDeadline(new Promise((resolve, reject) => {
        proc.stdout.on('data', () => {
            const m = /127\.0\.0\.1:(\d+)\//.exec(server.output);
            if (m)
                resolve(Number(m[1]));
        });
        proc.on('exit', (code) => reject(new Error(`${path} exited with ${code}: ${server.output}`)));
    }), 10000, `${path} to print its port`);
    await waitListening(server.port, 10000);
    return server;
}

// SIGTERM, then SIGKILL (to `timeout`, leaving the server to its time limit) if the server
// has not exited within 10 s. Resolves, once all its output is in, to the exit code or the
// name of the signal that ended it.
export function stopServer(server) {
    return new Promise((resolve) => {
        if (server.proc.exitCode !== null || server.proc.signalCode !== null)
            return resolve(server.proc.exitCode ?? server.proc.signalCode);
        const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10000);
        server.proc.removeAllListeners('exit');
        server.proc.on('close', (code, signal) => { clearTimeout(timer); resolve(code ?? signal); });
        server.proc.kill('SIGTERM');
    });
}

// Stops the server; fails unless it exited 0 and printed no sanitizer report (UBSan's let it
// exit 0).
export async function stopServerCleanly(server) {
    assert.equal(await stopServer(server), 0, server.output);
    assert.doesNotMatch(server.output, /runtime error:|Sanitizer/, server.output);
}

// One headless Chromium with a fresh profile, its output in artifacts/`logName`, gone after
// `hardLimitSeconds` at the latest; close() ends it at once.
export async function launchChromium(logName, { hardLimitSeconds = 240 } = {}) {
    mkdirSync(artifactsDir, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), 'restinio-chromium-'));
    const log = openSync(join(artifactsDir, logName), 'w');
    const proc = spawnBounded(hardLimitSeconds, 'chromium', [
        '--headless=new', '--no-sandbox', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
        // Loopback only: no proxy, no name resolution, none of the browser's own traffic.
        '--no-proxy-server', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-default-apps', '--no-first-run', '--no-default-browser-check',
        '--disable-gpu', '--hide-scrollbars', '--mute-audio', 'about:blank'],
        { stdio: ['ignore', log, log, 'pipe', 'pipe'] }, { group: true });
    const browser = new browser_t(proc, profile);
    process.on('exit', browser.kill);
    await withDeadline(browser.send('Browser.getVersion'), 30000, 'Chromium to start');
    return browser;
}

class browser_t {
    constructor(proc, profile) {
        this.proc = proc;
        this.profile = profile;
        this.nextId = 1;
        this.pending = new Map();
        this.input = '';
        this.exited = new Promise((resolve) => proc.on('exit', resolve));
        proc.on('exit', () => {
            for (const { reject } of this.pending.values())
                reject(new Error('Chromium exited'));
            this.pending.clear();
        });
        proc.stdio[4].setEncoding('utf8');   // a character may be split between two reads
        proc.stdio[4].on('data', (chunk) => this.receive(chunk));
        proc.stdio[3].on('error', () => {});
        this.kill = () => killGroup(proc);
    }

    receive(chunk) {
        this.input += chunk;
        for (let end; (end = this.input.indexOf('\0')) >= 0;) {
            const message = JSON.parse(this.input.slice(0, end));
            this.input = this.input.slice(end + 1);
            const waiter = this.pending.get(message.id);
            if (!waiter)
                continue;  // an event: the tests poll instead of listening
            this.pending.delete(message.id);
            if (message.error)
                waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
            else
                waiter.resolve(message.result);
        }
    }

    send(method, params = {}, sessionId = undefined) {
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { method, resolve, reject });
            this.proc.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + '\0');
        });
    }

    // A new tab of `width` x `height` CSS pixels showing `url`, loaded.
    async newPage(url, { width = 1000, height = 700, mobile = false } = {}) {
        const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
        const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
        const page = new page_t(this, targetId, sessionId);
        await page.send('Emulation.setDeviceMetricsOverride',
            { width, height, deviceScaleFactor: mobile ? 2 : 1, mobile });
        await page.send('Page.navigate', { url });
        await page.waitFor(`document.readyState === 'complete' && location.href === ${JSON.stringify(url)}`,
            `${url} to load`);
        return page;
    }

    // Closes the pipe (Chromium exits on that), then kills whatever is left and removes the profile.
    async close() {
        this.proc.stdio[3].end();
        await withDeadline(this.exited, 5000, 'Chromium to exit').catch(() => {});
        this.kill();
        process.removeListener('exit', this.kill);
        rmSync(this.profile, { recursive: true, force: true });
    }
}

class page_t {
    constructor(browser, targetId, sessionId) {
        this.browser = browser;
        this.targetId = targetId;
        this.sessionId = sessionId;
    }

    close() {
        return this.browser.send('Target.closeTarget', { targetId: this.targetId });
    }

    send(method, params = {}) {
        return withDeadline(this.browser.send(method, params, this.sessionId), 30000, method);
    }

    // The value of `expression` in the page; a promise is awaited; an exception is rethrown here.
    async evaluate(expression) {
        const { result, exceptionDetails } = await this.send('Runtime.evaluate',
            { expression, awaitPromise: true, returnByValue: true, userGesture: true });
        if (exceptionDetails)
            throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}\n  ${expression}`);
        return result.value;
    }

    // Polls `expression` until it is truthy and returns its value; fails after `ms`, showing
    // `describe` (an expression for what the page shows) to say how far it got.
    async waitFor(expression, what, { ms = 15000, describe = 'document.body?.innerText' } = {}) {
        const until = Date.now() + ms;
        for (;;) {
            const value = await this.evaluate(expression);
            if (value)
                return value;
            if (Date.now() > until) {
                const shown = await this.evaluate(describe).catch((e) => e.message);
                throw new Error(`timed out after ${ms} ms waiting for ${what}; the page shows:\n${shown}`);
            }
            await new Promise((r) => setTimeout(r, poll_interval_ms));
        }
    }

    async screenshot(name) {
        const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
        const path = join(artifactsDir, name);
        writeFileSync(path, Buffer.from(data, 'base64'));
        return path;
    }
}

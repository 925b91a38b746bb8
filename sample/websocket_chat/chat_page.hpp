// The chat's page, served on GET /: HTML, style and script in one raw string, so the sample
// stays one source file to build. The script speaks the protocol described in main.cpp.
#pragma once

inline constexpr const char chat_page[] = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>RESTinio chat</title>
<style>
  :root { --accent: #2f6fde; --bg: #f3f5f9; --line: #dde2ea; --muted: #6b7482; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; background: var(--bg); color: #1d2330;
         font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; }
  header { display: flex; align-items: center; gap: 12px; padding: 10px 16px;
           background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 17px; }
  #status { margin-left: auto; font-size: 13px; color: var(--muted); }
  #status::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px;
                    border-radius: 50%; background: #c9ced6; }
  #status.online::before { background: #2fb55d; }
  #status.offline::before { background: #e0493e; }
  main { flex: 1; display: flex; min-height: 0; }
  #messages { flex: 1; margin: 0; padding: 16px; list-style: none; overflow-y: auto; }
  #messages li { margin-top: 6px; }
  .message { max-width: min(75%, 640px); width: fit-content; padding: 6px 12px 8px;
             background: #fff; border: 1px solid var(--line); border-radius: 4px 14px 14px 14px; }
  .message.own { margin-left: auto; background: var(--accent); border-color: var(--accent);
                 color: #fff; border-radius: 14px 4px 14px 14px; }
  .meta { display: flex; gap: 8px; font-size: 12px; color: var(--muted); }
  .own .meta { color: #dce7fb; }
  .from { font-weight: 600; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; }
  .notice { text-align: center; font-size: 13px; color: var(--muted); }
  aside { width: 200px; padding: 16px; border-left: 1px solid var(--line); background: #fff; overflow-y: auto; }
  aside h2 { margin: 0 0 8px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
  #online { margin: 0; padding: 0; list-style: none; }
  #online li { padding: 3px 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  #online li::before { content: "\25CF"; margin-right: 6px; color: #2fb55d; font-size: 10px; }
  #online li.own { font-weight: 600; }
  footer { padding: 10px 16px; background: #fff; border-top: 1px solid var(--line); }
  #error { margin: 0 0 8px; color: #c0322a; font-size: 13px; }
  #error:empty { display: none; }
  form { display: flex; gap: 8px; }
  input { flex: 1; min-width: 0; padding: 10px 12px; font: inherit; border: 1px solid var(--line); border-radius: 8px; }
  input:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
  button { padding: 0 18px; font: inherit; font-weight: 600; color: #fff; background: var(--accent);
           border: 0; border-radius: 8px; cursor: pointer; }
  #join { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center;
          background: rgba(29, 35, 48, .45); }
  #join[hidden] { display: none; }
  #join form { flex-direction: column; width: min(340px, 90vw); padding: 24px;
               background: #fff; border-radius: 12px; box-shadow: 0 10px 30px rgba(0, 0, 0, .2); }
  #join h2 { margin: 0; font-size: 18px; }
  #join button { padding: 10px; }
  @media (max-width: 640px) {
    main { flex-direction: column-reverse; }
    aside { width: auto; padding: 6px 16px; border-left: 0; border-bottom: 1px solid var(--line); }
    aside h2 { display: none; }
    #online { display: flex; gap: 14px; overflow-x: auto; }
    .message { max-width: 88%; }
  }
</style>
</head>
<body>
<header><h1>RESTinio chat</h1><span id="status">not connected</span></header>
<main>
  <ol id="messages" aria-live="polite"></ol>
  <aside><h2>Online</h2><ul id="online"></ul></aside>
</main>
<footer>
  <p id="error" role="alert"></p>
  <form id="message-form">
    <input id="text" autocomplete="off" placeholder="Write a message…" aria-label="Message">
    <button id="send">Send</button>
  </form>
</footer>
<div id="join">
  <form id="join-form">
    <h2>Choose a nickname</h2>
    <input id="nickname" maxlength="24" autocomplete="nickname" placeholder="Nickname" aria-label="Nickname" required>
    <button>Join</button>
  </form>
</div>
<script>
  const $ = (id) => document.getElementById(id);
  const chat = { socket: null, nickname: localStorage.getItem('nickname') || '', me: '',
                 maxMessageSize: Infinity, retries: 0, lastClose: '', lastShown: 0 };

  // Makes a change to the page; a reader at the bottom of the pane stays there.
  function keepingBottom(change) {
    const pane = $('messages');
    const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
    change();
    if (atBottom)
      pane.scrollTop = pane.scrollHeight;
  }

  function element(tag, className, text = '') {
    const e = document.createElement(tag);
    e.className = className;
    e.textContent = text;  // never innerHTML: a message is text, whatever it contains
    return e;
  }

  function add(className, ...parts) {
    const li = element('li', className);
    li.append(...parts);
    keepingBottom(() => $('messages').append(li));
    if (className.includes('own'))
      li.scrollIntoView({ block: 'end' });
  }

  function showError(text) {
    keepingBottom(() => { $('error').textContent = text; });
  }

  function showMessage(event) {
    if (event.time <= chat.lastShown)
      return;  // history this tab showed before it reconnected
    chat.lastShown = event.time;
    const time = new Date(event.time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const own = event.from === chat.me;
    const from = element('span', 'from', event.from);
    if (!own)  // a colour of its own for each nickname
      from.style.color = `hsl(${[...event.from].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 360, 0)} 60% 38%)`;
    const meta = element('div', 'meta');
    meta.append(from, element('span', 'time', time));
    add(own ? 'message own' : 'message', meta, element('span', 'text', event.text));
  }

  function setStatus(text, state) {
    $('status').textContent = text;
    $('status').className = state;
  }

  function connect() {
    const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/chat');
    chat.socket = socket;
    socket.onopen = () => socket.send(chat.nickname);
    socket.onmessage = (e) => {
      const event = JSON.parse(e.data);
      if (event.type === 'welcome') {
        chat.me = event.name;
        chat.maxMessageSize = event.max_message_size;
        chat.retries = 0;
        setStatus('Connected as ' + chat.me, 'online');
        showError('');
      } else if (event.type === 'message') {
        showMessage(event);
      } else if (event.type === 'join' || event.type === 'leave') {
        add('notice', event.name + (event.type === 'join' ? ' joined' : ' left'));
      } else if (event.type === 'online') {
        $('online').replaceChildren(...event.names.map((name) => element('li', name === chat.me ? 'own' : '', name)));
      }
    };
    socket.onclose = (e) => {
      if (chat.me) {  // the connection had been up: say why it went
        chat.lastClose = e.code + (e.reason ? ' ' + e.reason : '');
        add('notice', `Connection closed (${chat.lastClose})`);
        chat.me = '';
        $('online').replaceChildren();
      }
      const delay = Math.min(8000, 500 * 2 ** chat.retries++);
      setStatus((chat.lastClose ? `Disconnected (${chat.lastClose})` : 'Cannot connect') +
                `, retrying in ${delay / 1000} s`, 'offline');
      setTimeout(connect, delay);
    };
  }

  $('join-form').onsubmit = (e) => {
    e.preventDefault();
    chat.nickname = $('nickname').value.trim();
    localStorage.setItem('nickname', chat.nickname);
    $('join').hidden = true;
    $('text').focus();
    connect();
  };

  $('message-form').onsubmit = (e) => {
    e.preventDefault();
    const text = $('text').value;
    if (!text.trim())
      return;
    const size = new TextEncoder().encode(text).length;
    if (!chat.me || chat.socket.readyState !== WebSocket.OPEN)
      showError('Not sent: not connected to the server.');
    else if (size > chat.maxMessageSize)
      showError(`Not sent: the message is ${size} bytes, the limit is ${chat.maxMessageSize}.`);
    else {
      chat.socket.send(text);
      $('text').value = '';
      showError('');
    }
  };

  $('nickname').value = chat.nickname;
  $('nickname').focus();
</script>
</body>
</html>
)html";

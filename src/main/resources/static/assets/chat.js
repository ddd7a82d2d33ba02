// The chat page's behaviour: renders answers as sanitized Markdown, asks for answers through /api/v1/chats and reads
// their server-sent events as they stream, stops them. No inline script anywhere: the page's CSP forbids it.
'use strict';

(() => {
  const csrfHeader = document.querySelector('meta[name="csrf-header"]').content;
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById('composer');
  const messages = document.getElementById('messages');
  const input = document.getElementById('message');
  const model = document.getElementById('model');
  const send = document.getElementById('send');
  const stop = document.getElementById('stop');
  const status = document.getElementById('status');
  const chatList = document.getElementById('chat-list');
  const regenerate = document.getElementById('regenerate');
  let chatId = form.dataset.chatId || null;
  let tip = form.dataset.tip || null;
  let current = null; // the answer streaming now: { messageId }

  // Every model answer goes through marked, then DOMPurify: a prompt-injected <script>, event handler or
  // javascript: link is removed before it reaches the page (and the CSP would refuse to run it anyway).
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow');
      node.setAttribute('target', '_blank');
    }
  });

  function renderMarkdown(element, markdown) {
    element.innerHTML = DOMPurify.sanitize(marked.parse(markdown), { USE_PROFILES: { html: true } });
    element.querySelectorAll('pre').forEach(addCopyButton);
  }

  // Each code block gets a button that copies its code (the clipboard needs a secure context: HTTPS or localhost).
  function addCopyButton(block) {
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'copy';
    copy.textContent = 'Copy';
    copy.setAttribute('aria-label', 'Copy the code');
    copy.addEventListener('click', async () => {
      const code = block.querySelector('code') || block;
      try {
        await navigator.clipboard.writeText(code.textContent);
        copy.textContent = 'Copied';
      } catch (refused) {
        copy.textContent = 'Copy failed';
      }
    });
    block.prepend(copy);
  }

  document.querySelectorAll('[data-markdown]').forEach((element) => renderMarkdown(element, element.textContent));
  messages.scrollTop = messages.scrollHeight;

  function addMessage(role, text) {
    const article = document.createElement('article');
    article.className = 'message ' + role;
    const who = document.createElement('h2');
    who.className = 'who';
    who.textContent = role === 'user' ? 'You' : 'Answer';
    const body = document.createElement('div');
    body.className = role === 'user' ? 'text' : 'markdown';
    body.textContent = text;
    article.append(who, body);
    messages.append(article);
    messages.scrollTop = messages.scrollHeight;
    return article;
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return new Error(body.detail || body.title || ('HTTP ' + response.status));
    } catch (notJson) {
      return new Error('The request failed (HTTP ' + response.status + ').');
    }
  }

  function headers(accept) {
    return { 'Content-Type': 'application/json', Accept: accept, [csrfHeader]: csrfToken };
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method, credentials: 'same-origin', headers: headers('application/json'),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await problem(response);
    }
    return response.status === 204 ? null : response.json();
  }

  // Server-sent events from a fetch body: blocks separated by a blank line, "event:" and "data:" lines.
  async function readEvents(response, onEvent) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) {
            name = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data.push(line.slice(5).replace(/^ /, ''));
          }
        }
        if (data.length > 0) {
          onEvent(name, JSON.parse(data.join('\n')));
        }
      }
    }
  }

  // The line under an answer: as AnswerSummary draws it on the server for answers the page was drawn with.
  function summary(model, usage, timings) {
    const parts = [model];
    if (usage && usage.inputTokens != null && usage.outputTokens != null) {
      parts.push(usage.inputTokens + ' tokens in, ' + usage.outputTokens + ' out' + (usage.estimated ? ' (estimated)' : ''));
    }
    if (timings && timings.timeToFirstTokenMs != null) {
      parts.push('first token ' + (timings.timeToFirstTokenMs / 1000).toFixed(2) + ' s');
    }
    if (timings && timings.durationMs != null) {
      parts.push((timings.durationMs / 1000).toFixed(2) + ' s in all');
    }
    return parts.join(' · ');
  }

  function streaming(on) {
    send.disabled = on;
    stop.hidden = !on;
    const last = messages.querySelector('article:last-of-type');
    regenerate.hidden = on || !last || !last.classList.contains('assistant') || !last.dataset.messageId;
    if (on) {
      stop.disabled = false;
    }
  }

  // Streams an answer into its article: a new one (POST .../answers) or one still being written when the page was
  // drawn (GET .../messages/{id}/events, which replays what was saved, then follows it live, from any replica).
  async function follow(article, path, init) {
    const body = article.querySelector('.markdown');
    // Assistive technology reads the answer once it is complete, not every partial redraw.
    article.setAttribute('aria-busy', 'true');
    article.dataset.status = 'in_progress';
    current = { messageId: article.dataset.messageId || null };
    streaming(true);
    status.textContent = 'Answering…';
    let text = '';
    let drawn = false;
    const draw = () => {
      drawn = false;
      renderMarkdown(body, text);
      messages.scrollTop = messages.scrollHeight;
    };
    try {
      const response = await fetch(path, { credentials: 'same-origin', headers: headers('text/event-stream'), ...init });
      if (!response.ok) {
        throw await problem(response);
      }
      await readEvents(response, (name, data) => {
        if (name === 'answer') {
          current.messageId = data.messageId;
          tip = data.messageId;
          article.dataset.messageId = data.messageId;
          article.dataset.model = data.model;
        } else if (name === 'delta') {
          text = text.slice(0, data.offset) + data.text;
          if (!drawn) {
            drawn = true;
            requestAnimationFrame(draw);
          }
        } else if (name === 'end') {
          article.dataset.status = data.status;
          renderMarkdown(body, text);
          if (data.status === 'failed') {
            const reason = document.createElement('p');
            reason.className = 'alert';
            reason.textContent = data.failureReason || 'The answer failed.';
            article.append(reason);
          }
          const meta = document.createElement('p');
          meta.className = 'meta';
          meta.textContent = summary(article.dataset.model || model.value, data.usage, data.timings);
          article.append(meta);
          status.textContent = data.status === 'complete' ? 'Answer complete.'
            : data.status === 'stopped' ? 'Answer stopped.' : 'The answer failed.';
        }
      });
    } finally {
      article.removeAttribute('aria-busy');
      current = null;
      streaming(false);
    }
  }

  function answer(questionId) {
    return follow(addMessage('assistant', ''), '/api/v1/chats/' + chatId + '/answers',
      { method: 'POST', body: JSON.stringify({ questionId, model: model.value }) });
  }

  const unfinished = messages.querySelector('article.assistant:last-of-type[data-status="in_progress"]');
  if (chatId && unfinished) {
    follow(unfinished, '/api/v1/chats/' + chatId + '/messages/' + unfinished.dataset.messageId + '/events',
      { method: 'GET' }).catch((failure) => { status.textContent = failure.message; });
  }

  function listChat(id) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = '/chats/' + id;
    link.textContent = 'Untitled chat';
    link.setAttribute('aria-current', 'page');
    item.append(link);
    // The same actions as the chats the page was drawn with, from the page's template.
    const actions = document.getElementById('chat-actions').content.cloneNode(true);
    actions.querySelectorAll('[action], [id], [for]').forEach((element) => {
      for (const name of ['action', 'id', 'for']) {
        const value = element.getAttribute(name);
        if (value) {
          element.setAttribute(name, value.replace('__id__', id));
        }
      }
    });
    item.append(actions);
    chatList.prepend(item);
  }

  async function ask() {
    const text = input.value.trim();
    if (!text || current || !model.value) {
      return;
    }
    input.value = '';
    addMessage('user', text);
    status.textContent = '';
    try {
      let questionId;
      if (!chatId) {
        const thread = await call('POST', '/api/v1/chats', { message: { content: text } });
        chatId = thread.chat.id;
        questionId = thread.messages[thread.messages.length - 1].message.id;
        history.replaceState(null, '', '/chats/' + chatId);
        listChat(chatId);
      } else {
        questionId = (await call('POST', '/api/v1/chats/' + chatId + '/messages', { parentId: tip, content: text })).id;
      }
      tip = questionId;
      await answer(questionId);
    } catch (failure) {
      status.textContent = failure.message;
    }
    input.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ask();
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask();
    }
  });

  stop.addEventListener('click', async () => {
    if (!current || !current.messageId) {
      return;
    }
    stop.disabled = true;
    try {
      await call('POST', '/api/v1/chats/' + chatId + '/messages/' + current.messageId + '/stop');
    } catch (failure) {
      status.textContent = failure.message;
    }
  });

  // Another answer to the last question, a sibling of the one shown; the page is drawn again with its versions.
  regenerate.addEventListener('click', async () => {
    const last = messages.querySelector('article.assistant:last-of-type');
    if (current || !last || !last.dataset.messageId) {
      return;
    }
    const fresh = addMessage('assistant', '');
    last.remove();
    try {
      await follow(fresh, '/api/v1/chats/' + chatId + '/messages/' + last.dataset.messageId + '/regenerate',
        { method: 'POST', body: JSON.stringify({ model: model.value }) });
      window.location.reload();
    } catch (failure) {
      status.textContent = failure.message;
    }
  });

  // ‹ and › show another version of a question or an answer: the chat remembers the branch shown.
  messages.addEventListener('click', async (event) => {
    const version = event.target.closest('button[data-switch]');
    if (!version || current) {
      return;
    }
    try {
      await call('PUT', '/api/v1/chats/' + chatId + '/branch', { messageId: version.dataset.switch });
      window.location.reload();
    } catch (failure) {
      status.textContent = failure.message;
    }
  });

  const toggle = document.getElementById('sidebar-toggle');
  const sidebar = document.getElementById('sidebar');
  toggle.addEventListener('click', () => {
    const open = sidebar.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
})();

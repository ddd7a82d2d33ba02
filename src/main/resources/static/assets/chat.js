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

  // Code blocks are highlighted after sanitizing: highlight.js reads each block's text and writes only its own spans.
  function renderMarkdown(element, markdown) {
    element.innerHTML = DOMPurify.sanitize(marked.parse(markdown), { USE_PROFILES: { html: true } });
    element.querySelectorAll('pre code').forEach((code) => hljs.highlightElement(code));
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

  // As the server draws it under each question.
  function editButton() {
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.className = 'edit';
    edit.dataset.edit = '';
    edit.textContent = 'Edit';
    edit.setAttribute('aria-label', 'Edit this question');
    return edit;
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
      let chunk;
      try {
        chunk = await reader.read();
      } catch (lost) {
        throw Object.assign(new Error('The connection to Atrium was lost.'), { cut: true });
      }
      const { value, done } = chunk;
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

  // The collections ticked in the composer: the question's answer is grounded on them.
  function grounding() {
    return [...form.querySelectorAll('input[name="collection"]:checked')].map((box) => box.value);
  }

  // Files attached in the composer: each uploaded on its own request (POST /api/v1/files/: kept in the caller's
  // uploads, outside their collections) and followed through the event stream until it is read; the next question
  // is grounded on those that are ready, and asking waits for those still being read.
  const attachedList = document.getElementById('attached');
  const attachPicker = document.getElementById('attach-files');
  const attachments = new Map();
  const earlyStatuses = new Map();
  let fileEvents = null;
  let waitingForFiles = false;

  function attachmentsBusy() {
    return [...attachments.values()].some((entry) => entry.status !== 'ready' && entry.status !== 'failed');
  }

  function readyAttachments() {
    return [...attachments.values()].filter((entry) => entry.status === 'ready');
  }

  function showAttachment(entry, status, words) {
    entry.status = status;
    entry.item.dataset.status = status;
    entry.item.querySelector('.state').textContent = words;
  }

  // A file.status event, or Open WebUI's data.status of the upload's answer, in the attachment's words.
  function followAttachment(entry, change) {
    switch (change.status) {
      case 'ready': case 'completed':
        showAttachment(entry, 'ready', 'ready');
        break;
      case 'failed':
        showAttachment(entry, 'failed', 'not read: ' + (change.failureReason || change.error || change.failureCode || 'it failed'));
        break;
      case 'embedding':
        showAttachment(entry, 'reading', change.chunksTotal == null ? 'embedding'
          : `embedding ${change.chunksDone} of ${change.chunksTotal}`);
        break;
      default:
        showAttachment(entry, 'reading', change.status === 'extracting' ? 'extracting text' : 'queued');
    }
  }

  function watchFiles() {
    if (fileEvents) {
      return;
    }
    fileEvents = new EventSource('/api/v1/events');
    let opened = false;
    fileEvents.addEventListener('ready', async () => {
      if (opened) { // reconnected: statuses may have been missed, so read the files still being read again
        for (const entry of attachments.values()) {
          if (entry.fileId && entry.status === 'reading') {
            const response = await fetch('/api/v1/files/' + entry.fileId, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
            if (response.ok) {
              followAttachment(entry, (await response.json()).data);
            }
          }
        }
      }
      opened = true;
    });
    fileEvents.addEventListener('file.status', (event) => {
      const change = JSON.parse(event.data);
      const entry = [...attachments.values()].find((candidate) => candidate.fileId === change.fileId);
      if (entry) {
        followAttachment(entry, change);
      } else {
        earlyStatuses.set(change.fileId, change);
      }
    });
    window.addEventListener('pagehide', () => fileEvents.close());
  }

  function attach(file) {
    const key = crypto.randomUUID();
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = file.name;
    const state = document.createElement('span');
    state.className = 'state';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.setAttribute('aria-label', 'Remove ' + file.name);
    remove.addEventListener('click', () => {
      attachments.delete(key);
      item.remove();
    });
    item.append(name, state, remove);
    attachedList.append(item);
    const entry = { fileId: null, name: file.name, status: 'uploading', item };
    attachments.set(key, entry);
    showAttachment(entry, 'uploading', 'uploading');
    watchFiles();
    const body = new FormData();
    body.append('file', file, file.name);
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/files/');
    request.setRequestHeader(csrfHeader, csrfToken);
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        showAttachment(entry, 'uploading', `uploading ${Math.floor(100 * event.loaded / event.total)}%`);
      }
    });
    request.addEventListener('load', () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (notJson) {
        // told below
      }
      if (request.status === 200 && answer && answer.id) {
        entry.fileId = answer.id;
        followAttachment(entry, earlyStatuses.get(answer.id) || answer.data);
        earlyStatuses.delete(answer.id);
        return;
      }
      showAttachment(entry, 'failed', 'not attached: ' + ((answer && (answer.detail || answer.title)) || `HTTP ${request.status}`));
    });
    request.addEventListener('error', () => showAttachment(entry, 'failed', 'not attached: the connection to Atrium was lost'));
    request.send(body);
  }

  if (attachPicker) {
    attachPicker.addEventListener('change', () => {
      [...attachPicker.files].forEach(attach);
      attachPicker.value = '';
    });
  }

  function whenAttachmentsSettled() {
    return new Promise((resolve) => {
      const check = () => (attachmentsBusy() ? setTimeout(check, 250) : resolve());
      check();
    });
  }

  // Under a question: the files it was asked with, as the server draws them for questions the page was drawn with.
  function addAttachedFiles(article, names) {
    if (names.length === 0) {
      return;
    }
    const list = document.createElement('ul');
    list.className = 'attached-files';
    list.setAttribute('aria-label', 'Attached files');
    for (const name of names) {
      const item = document.createElement('li');
      item.textContent = '📎 ' + name;
      list.append(item);
    }
    article.querySelector('.text').after(list);
  }

  // The passages an answer is grounded on, each a link to its page; file names are read once per file.
  const fileNames = new Map();
  function fileName(fileId) {
    if (!fileNames.has(fileId)) {
      fileNames.set(fileId, fetch('/api/v1/files/' + fileId, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((response) => (response.ok ? response.json() : null))
        .then((file) => (file ? file.name : 'A file no longer available')));
    }
    return fileNames.get(fileId);
  }

  function addSources(article, citations) {
    if (!citations || citations.length === 0) {
      return;
    }
    const list = document.createElement('ol');
    list.className = 'sources';
    list.setAttribute('aria-label', 'Sources');
    for (const cited of citations) {
      const link = document.createElement('a');
      link.href = `/knowledge/files/${cited.fileId}/passages/${cited.chunkIndex}?start=${cited.startChar}&end=${cited.endChar}`;
      link.textContent = `Passage ${cited.chunkIndex + 1}`;
      fileName(cited.fileId).then((name) => { link.textContent = `${name}, passage ${cited.chunkIndex + 1}`; });
      const item = document.createElement('li');
      item.append(link);
      list.append(item);
    }
    article.append(list);
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

  // Waits before each reattachment of a stream that was cut; the count starts again once a reattachment brings new
  // text.
  const REATTACH_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Streams an answer into its article: a new one (POST .../answers) or one still being written when the page was
  // drawn (GET .../messages/{id}/events, which replays what was saved, then follows it live, from any replica).
  // The answer is generated server-side whatever happens to the stream: one that ends without its `end` (the
  // replica stopped, the network dropped) is reattached with GET .../events, from whichever replica answers.
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
    let ended = false;
    let received = false;
    let known = 0; // how much of the answer the page had when the current stream began
    let progressed = false;
    const draw = () => {
      drawn = false;
      renderMarkdown(body, text);
      messages.scrollTop = messages.scrollHeight;
    };
    const onEvent = (name, data) => {
      if (!received) {
        received = true;
        status.textContent = 'Answering…';
      }
      if (name === 'end' || (name === 'delta' && data.offset + data.text.length > known)) {
        progressed = true;
      }
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
        ended = true;
        article.dataset.status = data.status;
        renderMarkdown(body, text);
        if (data.status === 'failed') {
          const reason = document.createElement('p');
          reason.className = 'alert';
          reason.textContent = data.failureReason || 'The answer failed.';
          article.append(reason);
        }
        addSources(article, data.citations);
        const meta = document.createElement('p');
        meta.className = 'meta';
        meta.textContent = summary(article.dataset.model || model.value, data.usage, data.timings);
        article.append(meta);
        status.textContent = data.status === 'complete' ? 'Answer complete.'
          : data.status === 'stopped' ? 'Answer stopped.' : 'The answer failed.';
      }
    };
    const events = (id) => '/api/v1/chats/' + chatId + '/messages/' + id + '/events';
    try {
      // Reading an answer is asked again safely; asking for one is not (it would start another).
      let reattaching = init.method === 'GET';
      let attempts = 0;
      for (;;) {
        received = false;
        progressed = false;
        known = text.length;
        let response = null;
        try {
          response = await fetch(path, { credentials: 'same-origin', headers: headers('text/event-stream'), ...init });
        } catch (unreachable) {
          if (!reattaching) {
            throw unreachable; // whether the question reached Atrium is unknown: the user decides
          }
        }
        if (response && !response.ok) {
          if (!reattaching || response.status < 500) {
            throw await problem(response); // refused (a quota, a deleted chat, a signed-out session): told as it is
          }
        } else if (response) {
          try {
            await readEvents(response, onEvent);
          } catch (failure) {
            if (!failure.cut) {
              throw failure; // not the network's doing
            }
          }
        }
        if (ended) {
          return;
        }
        if (!current.messageId) {
          // Cut before the answer was named: the page, drawn again, shows it and follows it.
          status.textContent = 'The connection was lost; reloading…';
          await pause(1000);
          window.location.reload();
          return;
        }
        // Only new text resets the count: a replica shutting down answers each reattachment with what is saved.
        attempts = progressed ? 0 : attempts;
        if (attempts >= REATTACH_DELAYS_MS.length) {
          status.textContent = 'The connection to Atrium was lost. The answer goes on; reload the page to see it.';
          return;
        }
        status.textContent = 'The connection was lost; reattaching to the answer…';
        await pause(REATTACH_DELAYS_MS[attempts++]);
        path = events(current.messageId);
        init = { method: 'GET' };
        reattaching = true;
      }
    } finally {
      article.removeAttribute('aria-busy');
      current = null;
      streaming(false);
    }
  }

  async function answer(questionId) {
    await follow(addMessage('assistant', ''), '/api/v1/chats/' + chatId + '/answers',
      { method: 'POST', body: JSON.stringify({ questionId, model: model.value }) });
    showTitleWhenWritten(chatId);
  }

  // A chat's title is written by the task model after its first answer, in the background, on whichever replica
  // answered; it is looked for for a few seconds and shown in the chat list and the window's title when it comes.
  async function showTitleWhenWritten(id) {
    const link = chatList.querySelector(`a[href="/chats/${id}"]`);
    if (!link || link.textContent !== 'Untitled chat') {
      return;
    }
    for (let attempt = 0; attempt < 12; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        const thread = await call('GET', '/api/v1/chats/' + id);
        if (thread.chat.title) {
          link.textContent = thread.chat.title;
          if (chatId === id) {
            document.title = thread.chat.title + ' · Atrium';
          }
          return;
        }
      } catch (failure) {
        return;
      }
    }
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
    if (!text || current || !model.value || waitingForFiles) {
      return;
    }
    if (attachmentsBusy()) {
      waitingForFiles = true;
      status.textContent = 'Sending once the attached files are read…';
      await whenAttachmentsSettled();
      waitingForFiles = false;
    }
    const attached = readyAttachments();
    const fileIds = attached.map((entry) => entry.fileId);
    input.value = '';
    const asked = addMessage('user', text);
    asked.dataset.parentId = tip || '';
    addAttachedFiles(asked, attached.map((entry) => entry.name));
    asked.dataset.fileIds = fileIds.join(','); // an edit of this question keeps its files
    attachments.clear();
    if (attachedList) {
      attachedList.replaceChildren();
    }
    status.textContent = '';
    try {
      let questionId;
      if (!chatId) {
        const thread = await call('POST', '/api/v1/chats', { message: { content: text, collectionIds: grounding(), fileIds } });
        chatId = thread.chat.id;
        questionId = thread.messages[thread.messages.length - 1].message.id;
        history.replaceState(null, '', '/chats/' + chatId);
        listChat(chatId);
      } else {
        questionId = (await call('POST', '/api/v1/chats/' + chatId + '/messages',
          { parentId: tip, content: text, collectionIds: grounding(), fileIds })).id;
      }
      tip = questionId;
      asked.dataset.messageId = questionId;
      asked.append(editButton());
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
      stop.disabled = false; // not stopped (Atrium unreachable, say): it may be asked again
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

  // Editing a question adds its new version beside it (the same parent), answers it, and draws the chat again with
  // both versions (‹ 1/2 ›); the old question and its answers stay on their branch.
  messages.addEventListener('click', (event) => {
    const edit = event.target.closest('button[data-edit]');
    if (!edit || current) {
      return;
    }
    const article = edit.closest('article');
    const text = article.querySelector('.text');
    const editor = document.createElement('form');
    editor.className = 'editor';
    const field = document.createElement('textarea');
    field.value = text.textContent;
    field.rows = 3;
    field.maxLength = 100000;
    field.setAttribute('aria-label', 'Edited question');
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.textContent = 'Send edited question';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    editor.append(field, save, cancel);
    text.hidden = true;
    edit.hidden = true;
    article.append(editor);
    field.focus();
    cancel.addEventListener('click', () => {
      editor.remove();
      text.hidden = false;
      edit.hidden = false;
      edit.focus();
    });
    editor.addEventListener('submit', async (submitted) => {
      submitted.preventDefault();
      const content = field.value.trim();
      if (!content) {
        return;
      }
      save.disabled = true;
      try {
        const question = await call('POST', '/api/v1/chats/' + chatId + '/messages',
          { parentId: article.dataset.parentId || null, content, collectionIds: grounding(),
            fileIds: article.dataset.fileIds ? article.dataset.fileIds.split(',') : [] });
        tip = question.id;
        while (article.nextElementSibling) {
          article.nextElementSibling.remove();
        }
        editor.remove();
        text.textContent = content;
        text.hidden = false;
        await answer(question.id);
        window.location.reload();
      } catch (failure) {
        status.textContent = failure.message;
        save.disabled = false;
      }
    });
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

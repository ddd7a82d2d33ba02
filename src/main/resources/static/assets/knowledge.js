// A collection's page: uploads (chosen or dropped) go to /api/v1/collections/{id}/files one request per file, each
// with its own row and progress; ingestion is then followed live through the caller's event stream (file.status), so
// a row moves from queued to ready (or failed, with its reason) without reloading. No inline script: the CSP forbids it.
'use strict';

(() => {
  const main = document.getElementById('main');
  const collectionId = main.dataset.collectionId;
  const rows = document.getElementById('file-rows');
  const counts = document.getElementById('counts');
  const upload = document.getElementById('upload');
  const noFiles = document.getElementById('no-files');
  const actions = document.getElementById('file-actions');
  // Statuses of this collection's files that arrived before their upload's answer gave them a row.
  const early = new Map();

  // The words KnowledgeViews.status uses for a page drawn anew.
  function describe(file) {
    switch (file.status) {
      case 'queued': return 'Queued';
      case 'extracting': return 'Extracting text';
      case 'embedding': return file.chunksTotal == null ? 'Embedding' : `Embedding ${file.chunksDone} of ${file.chunksTotal}`;
      case 'ready': return file.chunksTotal == null ? 'Ready'
        : `Ready (${file.chunksTotal} ${file.chunksTotal === 1 ? 'passage' : 'passages'})`;
      case 'failed': return 'Failed: ' + (file.failureReason || file.failureCode);
      default: return file.status;
    }
  }

  function size(bytes) {
    if (bytes < 1024) {
      return bytes + ' B';
    }
    const units = ['KB', 'MB', 'GB'];
    let value = bytes;
    let unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return value.toFixed(1) + ' ' + units[unit];
  }

  // As KnowledgeViews.counts: "3 files: 2 ready, 1 in progress".
  function recount() {
    // Rows of uploads still on their way (or refused) are not files of the collection yet.
    const all = [...rows.querySelectorAll('tr[data-file-id]')].filter((row) => !row.dataset.fileId.startsWith('upload-'));
    const ready = all.filter((row) => row.dataset.status === 'ready').length;
    const failed = all.filter((row) => row.dataset.status === 'failed').length;
    const busy = all.length - ready - failed;
    let words = all.length === 1 ? '1 file' : all.length + ' files';
    if (all.length > 0) {
      words += `: ${ready} ready`;
      if (busy > 0) {
        words += `, ${busy} in progress`;
      }
      if (failed > 0) {
        words += `, ${failed} failed`;
      }
    }
    counts.textContent = words;
    if (noFiles) {
      noFiles.hidden = all.length > 0;
    }
  }

  function row(key, name) {
    let found = rows.querySelector(`tr[data-file-id="${key}"]`);
    if (!found) {
      found = document.createElement('tr');
      found.dataset.fileId = key;
      const cells = ['name', 'size', 'status'].map((kind) => {
        const cell = document.createElement('td');
        cell.className = kind;
        return cell;
      });
      cells[0].textContent = name;
      found.append(...cells);
      rows.prepend(found);
    }
    return found;
  }

  // A file's Remove form, from the page's template, for rows added after the page was drawn.
  function withActions(shown, fileId, name) {
    if (!actions || shown.querySelector('form')) {
      return;
    }
    const cell = document.createElement('td');
    cell.append(actions.content.cloneNode(true));
    const form = cell.querySelector('form');
    form.action = form.getAttribute('action').replace('__id__', fileId);
    form.dataset.confirm = form.dataset.confirm.replace('__name__', name);
    form.querySelector('button').setAttribute('aria-label', 'Remove ' + name);
    shown.append(cell);
  }

  function show(file) {
    const shown = row(file.fileId, file.name);
    withActions(shown, file.fileId, file.name);
    shown.dataset.status = file.status;
    shown.querySelector('.status').textContent = describe(file);
    recount();
  }

  // One file, one request: a refusal (too large, unsupported type) is told on that file's row and stops no other.
  // The Idempotency-Key makes the one automatic retry after a dropped connection store the file once.
  function send(file, attempt = 1, key = crypto.randomUUID()) {
    const pending = row('upload-' + key, file.name);
    pending.dataset.status = 'uploading';
    pending.querySelector('.size').textContent = size(file.size);
    const status = pending.querySelector('.status');
    recount();
    const body = new FormData();
    body.append('file', file, file.name);
    const request = new XMLHttpRequest();
    request.open('POST', `/api/v1/collections/${collectionId}/files`);
    request.setRequestHeader('Idempotency-Key', key);
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        status.textContent = `Uploading ${Math.floor(100 * event.loaded / event.total)}%`;
      }
    });
    request.addEventListener('load', () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (notJson) {
        // told below
      }
      if (request.status === 202 && answer) {
        pending.remove();
        if (!rows.querySelector(`tr[data-file-id="${answer.fileId}"]`)) {
          show({ ...answer, ...early.get(answer.fileId) });
          early.delete(answer.fileId);
        }
        return;
      }
      pending.dataset.status = 'failed';
      status.textContent = 'Not uploaded: ' + ((answer && (answer.detail || answer.title)) || `HTTP ${request.status}`);
      recount();
    });
    request.addEventListener('error', () => {
      if (attempt < 2) {
        pending.remove();
        send(file, attempt + 1, key);
        return;
      }
      pending.dataset.status = 'failed';
      status.textContent = 'Not uploaded: the connection to Atrium was lost.';
      recount();
    });
    status.textContent = 'Uploading';
    request.send(body);
  }

  if (upload) {
    const picker = document.getElementById('upload-files');
    picker.addEventListener('change', () => {
      [...picker.files].forEach((file) => send(file));
      picker.value = '';
    });
    upload.addEventListener('dragover', (event) => {
      event.preventDefault();
      upload.classList.add('dragging');
    });
    upload.addEventListener('dragleave', () => upload.classList.remove('dragging'));
    upload.addEventListener('drop', (event) => {
      event.preventDefault();
      upload.classList.remove('dragging');
      [...event.dataTransfer.files].forEach((file) => send(file));
    });
  }

  // Every status comes whole, so a missed event is made good by the next one, or by reading the list again when the
  // stream reconnects (it may have missed several while it was down).
  async function refresh() {
    const response = await fetch(`/api/v1/collections/${collectionId}/files?limit=200&offset=${main.dataset.from || 0}`,
      { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.ok) {
      (await response.json()).items.forEach(show);
    }
  }

  const events = new EventSource('/api/v1/events');
  let opened = false;
  events.addEventListener('ready', () => {
    if (opened) {
      refresh();
    }
    opened = true;
  });
  events.addEventListener('file.status', (event) => {
    const change = JSON.parse(event.data);
    if (!change.collectionIds.includes(collectionId)) {
      return;
    }
    const shown = rows.querySelector(`tr[data-file-id="${change.fileId}"]`);
    if (shown) {
      shown.dataset.status = change.status;
      shown.querySelector('.status').textContent = describe(change);
      recount();
    } else {
      early.set(change.fileId, change);
    }
  });
  window.addEventListener('pagehide', () => events.close());
})();

// Usage dashboard: draws the tokens-per-day chart from the canvas's data-usage, and keeps "Models in use now" live
// by reading /api/v1/models-in-use every few seconds (instance admins only; the section is absent otherwise).
'use strict';

(() => {
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
  const REFRESH_MS = 3000;

  const canvas = document.getElementById('usage-chart');
  if (canvas && window.Chart) {
    const usage = JSON.parse(canvas.dataset.usage);
    const style = getComputedStyle(document.body);
    const text = style.color;
    const grid = style.getPropertyValue('--border').trim() || 'rgba(128,128,128,.3)';
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: usage.days,
        datasets: usage.series.map((series, i) => ({
          label: series.label, data: series.tokens, backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { color: text } } },
        scales: {
          x: { stacked: true, ticks: { color: text }, grid: { color: grid } },
          y: { stacked: true, beginAtZero: true, ticks: { color: text }, grid: { color: grid },
               title: { display: true, text: 'Tokens', color: text } },
        },
      },
    });
  }

  const live = document.getElementById('models-in-use');
  if (!live) {
    return;
  }
  const summary = document.getElementById('in-use-summary');
  const rows = document.getElementById('in-use-rows');

  const cell = (value) => {
    const td = document.createElement('td');
    td.textContent = value;
    return td;
  };

  const draw = (view) => {
    const said = view.streams === 1 ? '1 answer streaming' : `${view.streams} answers streaming`;
    const next = view.partial ? `${said} (this replica only: Redis cannot be read)` : said;
    if (summary.textContent !== next) {
      summary.textContent = next; // only a change is announced by the live region
    }
    rows.replaceChildren(...view.models.map((used) => {
      const tr = document.createElement('tr');
      tr.append(cell(used.model), cell(used.connection), cell(String(used.streams)), cell(used.replicas.join(', ')));
      return tr;
    }));
  };

  const refresh = async () => {
    if (document.hidden) {
      return;
    }
    try {
      const answer = await fetch('/api/v1/models-in-use', { headers: { Accept: 'application/json' } });
      if (answer.ok) {
        draw(await answer.json());
        live.dataset.updated = new Date().toISOString();
      }
    } catch (unreachable) {
      // the next tick tries again; the table keeps what it last showed
    }
  };
  setInterval(refresh, REFRESH_MS);
})();

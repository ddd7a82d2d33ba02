// Behaviour every page's forms share. Destructive forms (data-confirm) ask first; without scripts they post at once.
// Listening on the document covers forms added after the page was drawn (a new chat's actions).
'use strict';

document.addEventListener('submit', (event) => {
  const form = event.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

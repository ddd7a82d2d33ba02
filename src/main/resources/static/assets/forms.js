// Behaviour every page's forms share. Destructive forms (data-confirm) ask first; without scripts they post at once.
// Listening on the document covers forms added after the page was drawn (a new chat's actions). The capture phase
// runs before htmx's own listener on a boosted form, so a declined confirmation stops htmx's request too.
'use strict';

document.addEventListener('submit', (event) => {
  const form = event.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A boosted form's answer replaces the page without moving the view, so that an admin working down a long list stays
// where they were. What the answer says about the action (a refusal, or a notice such as a new key shown once) may be
// elsewhere on the page: bring the first one into view and give it the focus, so keyboard and screen-reader users
// land on it as sighted users do.
document.addEventListener('htmx:afterSettle', () => {
  const said = document.querySelector('main [role=alert]') || document.querySelector('main [role=status]');
  if (said) {
    said.tabIndex = -1;
    said.focus({preventScroll: true});
    said.scrollIntoView({block: 'center'});
  }
});

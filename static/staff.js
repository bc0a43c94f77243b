// Progressive enhancement for the staff pages (/admin); every page works without it.

// A form posts once: a double click on "Save review" would otherwise store two reviews.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = 'true';
  for (const button of form.querySelectorAll('button[type="submit"]')) button.setAttribute('aria-busy', 'true');
});

// Back/forward restores the page as it was left, mid-submit included: make its forms usable again.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-submitting]')) {
    delete form.dataset.submitting;
    for (const button of form.querySelectorAll('[aria-busy]')) button.removeAttribute('aria-busy');
  }
});

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

// "Copy link": copies the named input's text and says so; without a clipboard the text is selected.
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    const done = document.querySelector(`[data-copied-for="${button.dataset.copy}"]`);
    if (done) done.hidden = false;
  } catch {
    // The text stays selected for the reader to copy by hand.
  }
});

// Copy buttons for the secrets shown once (keys, tokens, invitation links).
// They are hidden without JavaScript: the read-only field can still be
// selected and copied by hand. No inline script: the CSP forbids it.
// htmx (hx-boost) swaps pages in place, so the setup also runs on each
// "htmx:load" for the new content.
function setUp(root) {
  for (const button of root.querySelectorAll("button.copy[data-copy]")) {
    const field = document.querySelector(button.dataset.copy);
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.done;
    });
  }
  for (const field of root.querySelectorAll("input.key")) {
    field.addEventListener("focus", () => field.select());
  }
}
document.addEventListener("DOMContentLoaded", () => setUp(document));
document.addEventListener("htmx:load", (e) => setUp(e.target));

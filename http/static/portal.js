// Copy buttons for the secrets shown once (keys, tokens, invitation links).
// They are hidden without JavaScript: the read-only field can still be
// selected and copied by hand. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const field = document.querySelector(button.dataset.copy);
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.done;
    });
  }
  for (const field of document.querySelectorAll("input.key")) {
    field.addEventListener("focus", () => field.select());
  }
});

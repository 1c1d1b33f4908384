// A button busy with what it started (a download, a rebuild). `disabled` moved the keyboard focus off it to the
// page, so a keyboard user who pressed it had to tab back from the top: it is marked aria-disabled instead, and
// the action it starts asks isBusy first, so a second press while busy does nothing.

export const isBusy = (button) => button.getAttribute('aria-disabled') === 'true';

export function setBusy(button, busy) {
  if (busy) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

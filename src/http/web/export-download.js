// The lake page's download of the training set: /export needs the key in the Authorization header, which a link
// cannot carry (opening the URL gave a 401 asking for that header), so the page fetches the file and saves it.
import { answerError } from './api-error';
import { isBusy, setBusy } from './busy-button';
import { storedKey } from './key-storage';

/** What the server said was wrong, as the lake page shows its GraphQL errors. */
async function refusal(response) {
  return answerError(await response.json().catch(() => null), response.status) || answerError(null, response.status);
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has the file once the click is handled; a later revoke keeps slow disks safe.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads the export the form asks for; says how many rows were saved, or throws the server's error. */
export async function downloadExport(form, state) {
  const button = form.querySelector('button');
  if (isBusy(button)) return;
  const params = new URLSearchParams({ format: form.elements.format.value });
  if (form.elements.split.value) params.set('split', form.elements.split.value);
  const seed = form.elements.seed.value.trim();
  if (seed) params.set('splitSeed', seed);
  setBusy(button, true);
  state.textContent = 'downloading…';
  try {
    const response = await fetch(`export/machine_learning_curated?${params}`, { headers: { authorization: `Bearer ${storedKey()}` } });
    if (!response.ok) throw await refusal(response);
    const name = (/filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '') || [])[1] || `machine_learning_curated.${params.get('format')}`;
    let blob;
    try {
      blob = await response.blob();
    } catch {
      throw new Error('the download was cut short (the server or the network stopped it); download again');
    }
    save(blob, name);
    state.textContent = `saved ${name}: ${Number(response.headers.get('x-row-count')).toLocaleString('en-US')} rows`;
  } catch (error) {
    state.textContent = '';
    throw error;
  } finally {
    setBusy(button, false);
  }
}

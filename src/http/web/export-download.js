// The lake page's download of the training set: /export needs the key in the Authorization header, which a link
// cannot carry (opening the URL gave a 401 asking for that header), so the page fetches the file and saves it.
import { answerError } from './api-error';
import { isBusy, setBusy } from './busy-button';
import { storedKey } from './key-storage';
import { fetchServer } from './server-fetch';

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

/**
 * A time field as /export's from/to take it: digits are sent as typed (the server refuses a date in seconds, saying
 * so); ISO 8601 text is read as UTC when it names no zone (as every time the API answers), a date as its midnight.
 */
export function epochMsOf(text, name) {
  const typed = text.trim();
  if (typed === '' || /^-?\d+$/.test(typed)) return typed;
  // "2022-06-18 14:59:00", as pandas, SQL and spreadsheets print a time, is ISO's T written as a space: the browser read
  // it as its own local time (two hours off in Paris), not as UTC.
  const iso = typed.replace(/^([+-]?\d{4,6}-\d\d-\d\d) +(?=\d)/, '$1T');
  const zoned = /T/i.test(iso) && !/(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? `${iso}Z` : iso;
  const ms = /^[+-]?\d{4,6}-\d\d-\d\d/.test(zoned) ? Date.parse(zoned) : NaN;
  if (Number.isNaN(ms)) throw new Error(`${name}: "${typed}" is neither epoch milliseconds nor an ISO 8601 time such as 2022-06-18T14:59:00Z`);
  return String(ms);
}

/** The /export parameters the form asks for: format, split and seed, one device and a time window (both ends included). */
function exportParams(form) {
  const params = new URLSearchParams({ format: form.elements.format.value });
  if (form.elements.split.value) params.set('split', form.elements.split.value);
  const seed = form.elements.seed.value.trim();
  if (seed) params.set('splitSeed', seed);
  const serial = form.elements.serialNumber.value.trim();
  if (serial) params.set('serialNumber', serial);
  for (const name of ['from', 'to']) {
    const ms = epochMsOf(form.elements[name].value, name);
    if (ms) params.set(name, ms);
  }
  return params;
}

/** Downloads the export the form asks for; says how many rows were saved, or throws the server's error. */
export async function downloadExport(form, state) {
  const button = form.querySelector('button');
  if (isBusy(button)) return;
  setBusy(button, true);
  state.textContent = 'downloading…';
  try {
    // Inside the try: a time the form cannot read clears the last download's "saved …" too, as any failure does.
    const params = exportParams(form);
    const response = await fetchServer(`export/machine_learning_curated?${params}`, { headers: { authorization: `Bearer ${storedKey()}` } });
    if (!response.ok) throw await refusal(response);
    const name = (/filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '') || [])[1] || `machine_learning_curated.${params.get('format')}`;
    let blob;
    try {
      blob = await response.blob();
    } catch {
      throw new Error('the download was cut short (the server or the network stopped it); download again');
    }
    save(blob, name);
    const rows = Number(response.headers.get('x-row-count'));
    state.textContent = `saved ${name}: ${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
  } catch (error) {
    state.textContent = '';
    throw error;
  } finally {
    setBusy(button, false);
  }
}

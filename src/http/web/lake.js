// The lake page: one picture of the lake for an operator, from the same GraphQL API and key as the IDE.
// It asks the schema which fields exist, so fields added to Lake later show up without a change here.
import { isBusy, setBusy } from './busy-button';
import { downloadExport } from './export-download';
import { checkKey, KEY_STATE_TEXT, localKeyState } from './key-check';
import { keyProblem, storedKey, storeKey } from './key-storage';
import { graphql } from './lake-graphql';
import { keyValues, renderConsent, renderMore, renderQuarantine, renderVersions, renderZones } from './lake-sections';
import { $, el } from './page-elements';
import { INTROSPECTION, selection } from './schema-selection';

/** The schema's types by name, asked once; forgotten with the key (another key may be refused, or see another schema). */
let types = new Map();

// ---- Rebuilds -----------------------------------------------------------------------------------
const JOB_FIELDS = 'id state consentPolicy createdAtIso finishedAtIso version error warning completedSteps totalSteps steps { name state rows }';

function renderJob(job) {
  return el(
    'div',
    { class: `job job-${job.state.toLowerCase()}`, 'data-job': job.id },
    el(
      'div',
      null,
      el('b', null, job.state),
      ` · job ${job.id} · ${job.completedSteps}/${job.totalSteps} steps`,
      // When: a list of SUCCEEDED lines without a time did not say which rebuild was which.
      job.finishedAtIso ? ` · finished ${job.finishedAtIso}` : job.createdAtIso ? ` · asked ${job.createdAtIso}` : '',
      job.version ? ` · published ${job.version}` : '',
      job.error ? ` · ${job.error}` : '',
      job.warning ? ` · ${job.warning}` : '',
    ),
    el('progress', { max: String(job.totalSteps), value: String(job.completedSteps) }),
  );
}

const running = (job) => job.state === 'QUEUED' || job.state === 'RUNNING';
let polling = false;

async function loadJobs() {
  const box = $('rebuilds');
  try {
    const { rebuildJobs } = await graphql(`{ rebuildJobs { ${JOB_FIELDS} } }`);
    $('rebuild-button').hidden = false;
    box.replaceChildren(...(rebuildJobs.length ? rebuildJobs.map(renderJob) : [el('p', { class: 'muted' }, 'No rebuild since the server started.')]));
    // A rebuild started anywhere (CLI, IDE, another tab) shows its progress here too; the lake reloads when it ends.
    if (!polling && rebuildJobs.some(running)) {
      polling = true;
      setTimeout(async () => {
        polling = false;
        try {
          if (!(await loadJobs()).some(running)) await refresh();
        } catch (error) {
          showError(error);
        }
      }, 1000);
    }
    return rebuildJobs;
  } catch (error) {
    if (error.code !== 'FORBIDDEN') throw error;
    $('rebuild-button').hidden = true;
    box.replaceChildren(el('p', { class: 'muted' }, 'Rebuild jobs and the rebuild button need an admin key.'));
    return [];
  }
}

async function rebuild() {
  if (isBusy($('rebuild-button'))) return;
  setBusy($('rebuild-button'), true);
  try {
    let { rebuildZones: job } = await graphql(`mutation { rebuildZones { ${JOB_FIELDS} } }`);
    while (running(job)) {
      await new Promise((r) => setTimeout(r, 400));
      await loadJobs();
      job = (await graphql(`query ($id: ID!) { rebuildJob(id: $id) { ${JOB_FIELDS} } }`, { id: job.id })).rebuildJob;
    }
    await refresh();
  } catch (error) {
    showError(error);
  } finally {
    setBusy($('rebuild-button'), false);
  }
}

// ---- The page ------------------------------------------------------------------------------------
function showError(error) {
  $('message').textContent = error.code ? `${error.code}: ${error.message}` : String(error.message || error);
  $('message').hidden = false;
}

// A refused key reads nothing: what an earlier key read goes, and so does its rebuild button (it would be refused too).
function forgetLake() {
  types = new Map();
  for (const id of ['live', 'zones', 'quarantine', 'consent', 'versions', 'rebuilds', 'more']) $(id).replaceChildren();
  $('rebuild-button').hidden = true;
  delete document.body.dataset.loaded;
}

async function refresh() {
  $('message').hidden = true;
  if (!storedKey()) {
    $('message').textContent = 'Paste an API key above: the lake page reads the same GraphQL API as the IDE.';
    $('message').hidden = false;
    return;
  }
  const problem = keyProblem(storedKey());
  if (problem) {
    $('message').textContent = problem;
    $('message').hidden = false;
    return;
  }
  try {
    if (types.size === 0) types = new Map((await graphql(INTROSPECTION)).__schema.types.map((t) => [t.name, t]));
    const { lake } = await graphql(`{ lake { ${selection(types, 'Lake', 0)} } }`);
    const live = (lake.versions || []).find((v) => v.live) || (lake.versions || [])[0];
    $('live').replaceChildren(keyValues(lake, ['liveVersion', 'engine', 'consentPolicy', 'builtAtIso']));
    renderZones(lake);
    renderQuarantine(live);
    renderVersions(lake);
    renderConsent(lake);
    renderMore(lake);
    await loadJobs();
    document.body.dataset.loaded = 'true';
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') forgetLake();
    showError(error);
    // A lake not built yet (or damaged) is what a rebuild fixes, as the message says: an admin still gets the button.
    if (error.code === 'LAKE_NOT_BUILT' || error.code === 'LAKE_DAMAGED') await loadJobs().catch(showError);
  }
}

/** The header says whether the server takes the kept key (the latest check wins when keys change fast). */
let keyChecks = 0;
async function showKeyState() {
  const check = (keyChecks += 1);
  const show = (state) => {
    $('key-state').textContent = KEY_STATE_TEXT[state];
    $('key-state').dataset.state = state;
  };
  show(localKeyState(storedKey()));
  const state = await checkKey('graphql', storedKey());
  if (check === keyChecks) show(state);
}

$('key').value = storedKey();
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('key').value = storeKey($('key').value);
  types = new Map();
  void showKeyState();
  void refresh();
});
$('rebuild-button').addEventListener('click', () => void rebuild());
$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  // Without a usable key, the message refresh shows says what to do.
  if (!storedKey() || keyProblem(storedKey())) return void refresh();
  $('message').hidden = true;
  downloadExport(event.target, $('export-state')).catch(showError);
});
void showKeyState();
void refresh();

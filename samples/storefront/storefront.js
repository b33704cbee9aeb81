// The sample storefront: plain JavaScript against the ServerlessRec API on the same origin.
// Titles come from the sample's own catalog (GET /sample/catalog), as a real shop's would come from its product data;
// the API deals in item ids.

const VISITOR_KEY = 'serverlessrec.sample.visitor';
const LAST_ITEM_KEY = 'serverlessrec.sample.lastItem';
const ROW_SIZE = 8;
const PAGE_SIZE = 24;

const byId = (id) => document.getElementById(id);

const state = {
  visitor: null,
  catalog: new Map(),
  categories: [],
  category: '',
  shown: PAGE_SIZE,
  lastItem: null,
  eventsPosted: 0,
};

// ---- the API: the three calls a web page makes -------------------------------------------------------------------

async function callApi(path, init = {}) {
  const response = await fetch(path, {
    ...init,
    headers: { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    // Every error is problem+json: detail says what is wrong, field names the request field at fault.
    const detail = body && body.detail ? body.detail : response.statusText;
    throw new Error(`${init.method || 'GET'} ${path} answered ${response.status}: ${detail}`);
  }
  return body;
}

function recommend(userId, k) {
  return callApi('/api/recommendations', {
    method: 'POST',
    body: JSON.stringify({ userId, k, explain: true }),
  });
}

function similarTo(itemId, k) {
  return callApi(`/api/items/${encodeURIComponent(itemId)}/similar?k=${k}`);
}

function postEvent(userId, itemId, type) {
  return callApi('/api/events', {
    method: 'POST',
    body: JSON.stringify({ events: [{ userId, itemId, type }] }),
  });
}

// ---- the page ----------------------------------------------------------------------------------------------------

function newVisitorId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return 'visitor-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function titleOf(itemId) {
  const item = state.catalog.get(itemId);
  return item && item.title ? item.title : itemId;
}

function joinTitles(ids) {
  const titles = ids.map(titleOf);
  return titles.length <= 1 ? titles.join('') : `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}`;
}

// A stable colour per first category, so related items look related.
function hueClass(itemId) {
  const item = state.catalog.get(itemId);
  const key = item && item.categories.length > 0 ? item.categories[0] : itemId;
  let hash = 0;
  for (const c of key) {
    hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  }
  return `hue-${hash % 8}`;
}

function initials(title) {
  const words = title.split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : title.slice(0, 2)).toUpperCase();
}

let cardSerial = 0;

// One item: a button (choosing it posts the event) and, in the recommendation rows, the reason it is there.
function card(itemId, why) {
  const li = document.createElement('li');
  li.className = 'card-slot';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `card ${hueClass(itemId)}`;
  button.dataset.itemId = itemId;

  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.setAttribute('aria-hidden', 'true');
  swatch.textContent = initials(titleOf(itemId));

  const title = document.createElement('span');
  title.className = 'card-title';
  title.textContent = titleOf(itemId);

  const meta = document.createElement('span');
  meta.className = 'card-meta';
  const item = state.catalog.get(itemId);
  meta.textContent = item && item.categories.length > 0 ? item.categories.join(' · ') : itemId;

  button.append(swatch, title, meta);
  button.addEventListener('click', () => choose(itemId));
  li.append(button);

  if (why !== undefined) {
    const reason = document.createElement('p');
    reason.className = 'why';
    reason.id = `why-${++cardSerial}`;
    reason.textContent = why;
    button.setAttribute('aria-describedby', reason.id);
    li.append(reason);
  }
  return li;
}

function explain(item, source) {
  if (item.because && item.because.length > 0) {
    return `Because you viewed ${joinTitles(item.because)}`;
  }
  if (item.exploration) {
    return 'Something new: few shoppers have found it yet';
  }
  if (source === 'popular') {
    return 'Popular with other shoppers right now';
  }
  return 'Picked from your recent activity';
}

function renderForYou(response) {
  const list = byId('for-you-list');
  list.replaceChildren(...response.items.map((item) => card(item.itemId, explain(item, response.source))));
  list.dataset.source = response.source;
  list.dataset.generation = String(Number(list.dataset.generation || '0') + 1);
  list.setAttribute('aria-busy', 'false');
  byId('for-you-note').textContent = response.source === 'popular'
    ? 'You have no history yet, so these are the most popular items. Choose anything to make them yours.'
    : 'Picked for you from what you have viewed.';
  byId('model-version').textContent = response.modelVersion;
}

function renderSimilar(itemId, response) {
  const list = byId('similar-list');
  const title = titleOf(itemId);
  byId('similar-title').textContent = `Similar to ${title}`;
  byId('similar-note').textContent = response.items.length > 0
    ? `Items liked by the same shoppers as ${title}.`
    : `Nothing similar to ${title} yet.`;
  list.replaceChildren(...response.items.map((item) => card(item.itemId, `Often liked together with ${title}`)));
  list.dataset.itemId = itemId;
  list.dataset.generation = String(Number(list.dataset.generation || '0') + 1);
}

function renderCatalog() {
  const grid = byId('catalog-grid');
  const items = [...state.catalog.values()].filter((i) => !state.category || i.categories.includes(state.category));
  grid.replaceChildren(...items.slice(0, state.shown).map((i) => card(i.itemId)));
  grid.setAttribute('aria-busy', 'false');
  byId('catalog-count').textContent = `Showing ${Math.min(state.shown, items.length)} of ${items.length} items`;
  byId('more').hidden = items.length <= state.shown;
}

function setBusy(busy) {
  document.body.dataset.state = busy ? 'busy' : 'ready';
}

function showError(error) {
  const box = byId('error');
  box.textContent = error.message;
  box.hidden = false;
  document.body.dataset.state = 'error';
}

async function refreshRows() {
  const tasks = [recommend(state.visitor, ROW_SIZE).then(renderForYou)];
  if (state.lastItem) {
    tasks.push(similarTo(state.lastItem, ROW_SIZE).then((r) => renderSimilar(state.lastItem, r)));
  }
  await Promise.all(tasks);
}

async function choose(itemId) {
  setBusy(true);
  byId('error').hidden = true;
  byId('status').textContent = `Noting that you viewed ${titleOf(itemId)}…`;
  try {
    const posted = await postEvent(state.visitor, itemId, 'click');
    state.eventsPosted += posted.accepted;
    document.body.dataset.eventsPosted = String(state.eventsPosted);
    state.lastItem = itemId;
    localStorage.setItem(LAST_ITEM_KEY, itemId);
    await refreshRows();
    byId('status').textContent = `Updated your recommendations after ${titleOf(itemId)}.`;
    if (!document.activeElement || document.activeElement === document.body) {
      // The chosen card was in a row that has just been redrawn: keep keyboard users near what changed.
      byId('for-you-title').focus();
    }
    setBusy(false);
  } catch (error) {
    showError(error);
  }
}

async function loadCatalog() {
  const catalog = await callApi('/sample/catalog');
  state.catalog = new Map(catalog.items.map((i) => [i.itemId, i]));
  state.categories = [...new Set(catalog.items.flatMap((i) => i.categories))].sort();
  const select = byId('category');
  select.append(...state.categories.map((c) => new Option(c, c)));
}

function startAsNewVisitor() {
  state.visitor = newVisitorId();
  state.lastItem = null;
  state.eventsPosted = 0;
  document.body.dataset.eventsPosted = '0';
  localStorage.setItem(VISITOR_KEY, state.visitor);
  localStorage.removeItem(LAST_ITEM_KEY);
  byId('visitor-id').textContent = state.visitor;
  document.body.dataset.visitor = state.visitor;
  byId('similar-title').textContent = 'Similar items';
  byId('similar-note').textContent = 'Choose any item to see items like it.';
  byId('similar-list').replaceChildren();
}

async function start() {
  state.visitor = localStorage.getItem(VISITOR_KEY);
  state.lastItem = localStorage.getItem(LAST_ITEM_KEY);
  if (!state.visitor) {
    startAsNewVisitor();
  }
  byId('visitor-id').textContent = state.visitor;
  document.body.dataset.visitor = state.visitor;
  document.body.dataset.eventsPosted = '0';

  byId('category').addEventListener('change', (e) => {
    state.category = e.target.value;
    state.shown = PAGE_SIZE;
    renderCatalog();
  });
  byId('more').addEventListener('click', () => {
    state.shown += PAGE_SIZE;
    renderCatalog();
  });
  byId('new-visitor').addEventListener('click', async () => {
    setBusy(true);
    startAsNewVisitor();
    byId('status').textContent = `You are now ${state.visitor}, with no history.`;
    try {
      await refreshRows();
      setBusy(false);
    } catch (error) {
      showError(error);
    }
  });

  try {
    await loadCatalog();
    renderCatalog();
    await refreshRows();
    setBusy(false);
  } catch (error) {
    showError(error);
  }
}

start();

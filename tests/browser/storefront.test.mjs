// The sample storefront in a real headless Chromium (Debian's chromium, driven by puppeteer-core; no browser download).
// Usage: node storefront.test.mjs <baseUrl> <screenshotPath>
// Loads the page served by `serverlessrec serve --sample`, notes the "For you" row, chooses an item in the catalog grid,
// waits for the row to change and checks that it did, that every recommendation says why, that the click reached the
// server (the visitor's stored history holds it) and that the page logged no error; saves a screenshot.
// Exit code 0 when every check passes; 1 with the failed check on stderr otherwise.

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';

const [baseUrl, screenshotArg] = process.argv.slice(2);
if (!baseUrl || !screenshotArg) {
  console.error('usage: node storefront.test.mjs <baseUrl> <screenshotPath>');
  process.exit(2);
}

const screenshotPath = resolve(screenshotArg);
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`chromium is not installed at ${executablePath}: run .ci/install-browser.sh (apt-get install -y chromium)`);
  process.exit(1);
}

const timeout = 15_000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const profile = mkdtempSync(join(tmpdir(), 'storefront-chromium-'));
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  userDataDir: profile,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

console.log(`chromium started in ${elapsed()}`);
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('response', (answer) => {
    if (answer.status() >= 400) {
      problems.push(`${answer.request().method()} ${answer.url()} answered ${answer.status()}`);
    }
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));

  const response = await page.goto(baseUrl, { waitUntil: 'load' });
  console.log(`page loaded at ${elapsed()}`);
  assert.equal(response.status(), 200, `GET ${baseUrl} answered ${response.status()}`);
  assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the page is served without its content security policy');

  const ready = () => page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state));
  await ready();
  const readRow = () => page.evaluate(() => {
    const list = document.getElementById('for-you-list');
    return {
      state: document.body.dataset.state,
      error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
      source: list.dataset.source,
      generation: Number(list.dataset.generation || '0'),
      ids: [...list.querySelectorAll('button[data-item-id]')].map((b) => b.dataset.itemId),
      reasons: [...list.querySelectorAll('li')].map((li) => li.querySelector('.why')?.textContent.trim() ?? ''),
    };
  });

  const before = await readRow();
  assert.equal(before.state, 'ready', `the page did not load: ${before.error}`);
  assert.ok(before.ids.length > 0, 'the "For you" row is empty');
  assert.ok(before.reasons.every((r) => r.length > 0), `a "For you" item has no explanation: ${JSON.stringify(before.reasons)}`);
  console.log(`page ready at ${elapsed()}`);
  console.log(`for you before (${before.source}): ${before.ids.join(' ')}`);

  const visitor = await page.evaluate(() => document.body.dataset.visitor);
  const gridIds = await page.$$eval('#catalog-grid button[data-item-id]', (buttons) => buttons.map((b) => b.dataset.itemId));
  assert.ok(gridIds.length > 0, 'the catalog grid is empty');
  // An item the row does not show, so the click must change the row rather than just drop the item from it.
  const chosen = gridIds.find((id) => !before.ids.includes(id)) ?? gridIds[0];
  const card = await page.evaluateHandle(
    (id) => [...document.querySelectorAll('#catalog-grid button[data-item-id]')].find((b) => b.dataset.itemId === id),
    chosen,
  );
  const chosenTitle = await card.evaluate((b) => b.querySelector('.card-title').textContent);
  console.log(`choosing ${chosen} (${chosenTitle}) as ${visitor}`);

  await card.click();
  await page.waitForFunction(
    (generation) => Number(document.getElementById('for-you-list').dataset.generation) > generation
      && ['ready', 'error'].includes(document.body.dataset.state),
    {},
    before.generation,
  );

  const after = await readRow();
  assert.equal(after.state, 'ready', `the page failed after the click: ${after.error}`);
  console.log(`row updated at ${elapsed()}`);
  console.log(`for you after (${after.source}): ${after.ids.join(' ')}`);
  assert.notDeepEqual(after.ids, before.ids, 'the "For you" row did not change after the click');
  assert.equal(after.source, 'history', 'the "For you" row is not built from the visitor\'s history after the click');
  assert.ok(!after.ids.includes(chosen), 'the chosen item is recommended back although it was just seen');
  assert.ok(after.reasons.length === after.ids.length && after.reasons.every((r) => r.length > 0), `a "For you" item has no explanation: ${JSON.stringify(after.reasons)}`);
  // The chosen item is the visitor's whole history, so it is what the explanations name (an item whose vector points
  // away from it gets the generic reason instead: explanations list only history items that pulled it up).
  assert.ok(after.reasons.some((r) => r.includes(chosenTitle)), `no explanation names the chosen item "${chosenTitle}": ${JSON.stringify(after.reasons)}`);

  const similar = await page.evaluate(() => ({
    title: document.getElementById('similar-title').textContent,
    itemId: document.getElementById('similar-list').dataset.itemId,
    ids: [...document.querySelectorAll('#similar-list button[data-item-id]')].map((b) => b.dataset.itemId),
  }));
  assert.equal(similar.itemId, chosen, 'the "Similar items" row is not about the chosen item');
  assert.ok(similar.title.includes(chosenTitle), `the "Similar items" heading does not name the chosen item: ${similar.title}`);
  assert.ok(similar.ids.length > 0 && !similar.ids.includes(chosen), `the "Similar items" row is wrong: ${similar.ids.join(' ')}`);

  // The page says it posted one event; the server's stored history of the visitor must hold it.
  assert.equal(await page.evaluate(() => document.body.dataset.eventsPosted), '1', 'the page did not count one posted event');
  const exported = await fetch(new URL(`/api/users/${encodeURIComponent(visitor)}/export`, baseUrl)).then((r) => r.json());
  assert.ok(
    exported.events.some((e) => e.itemId === chosen && e.type === 'click'),
    `the visitor's history on the server lacks the click: ${JSON.stringify(exported.events)}`,
  );

  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`screenshot at ${elapsed()}: ${screenshotPath}`);
  assert.deepEqual(problems, [], `the page reported problems:\n${problems.join('\n')}`);
  console.log('storefront: ok');
} catch (error) {
  console.error(error instanceof assert.AssertionError ? `FAILED: ${error.message}` : error);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
  }
  process.exitCode = 1;
} finally {
  await browser.close();
  console.log(`chromium closed at ${elapsed()}`);
  rmSync(profile, { recursive: true, force: true });
}

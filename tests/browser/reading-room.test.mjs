// Drives the reading room in the system's headless Chromium (playwright-core; no browser download).
// Started by tests/Archive.ReadingRoom.Tests with:
//   BASE_URL       the running Archive server (loopback)
//   CHROMIUM_PATH  the Chromium executable (default /usr/bin/chromium)
//   EXPECT_FILE    JSON written by the test: the seeded record files and what must (not) be seen
//   SCREENSHOT     where to save the screenshot of the results page
// Exits 0 when every check holds; prints one line per check.
import { readFileSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const expect = JSON.parse(readFileSync(process.env.EXPECT_FILE, 'utf8'));
const screenshot = process.env.SCREENSHOT;
let checks = 0;

function check(cond, what) {
  if (!cond) throw new Error('FAILED: ' + what);
  checks++;
  console.log('ok ' + checks + ' - ' + what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push('console: ' + m.text()); });
  page.on('dialog', async (d) => { problems.push('dialog opened: ' + d.message()); await d.dismiss(); });

  const hitIds = async () => page.$$eval('#hits .hit', (els) => els.map((e) => e.dataset.id));
  const pageText = async () => page.$eval('body', (b) => b.innerText);
  async function search(q) {
    await page.fill('#q', q);
    const response = page.waitForResponse((r) => r.url().includes('/search?'));
    await page.click('#search-button');
    await response;
    await page.waitForFunction(() => !document.getElementById('search-button').disabled);
  }

  const response = await page.goto(base + '/reading-room/');
  check(response.status() === 200, 'the page is served (200)');
  const csp = response.headers()['content-security-policy'] || '';
  check(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), 'the page sets its own CSP: ' + csp);
  check((await page.title()) === 'Phòng đọc', 'Vietnamese title Phòng đọc');
  await page.waitForSelector('#hits .hit');
  check((await page.textContent('#search-button')).trim() === 'Tìm kiếm', 'search button reads Tìm kiếm');
  for (const label of ['Cơ quan / Phông', 'Năm', 'Loại văn bản']) {
    check((await pageText()).includes(label), 'facet ' + label + ' is shown');
  }

  // Everything listed is accessioned and public; secret and non-accessioned record files never appear.
  const all = await hitIds();
  for (const code of expect.visible) check(all.some((id) => id === code || id.startsWith(code + '/')), 'public accessioned ' + code + ' is listed');
  for (const code of expect.hidden) check(!all.some((id) => id === code || id.startsWith(code + '/')), 'hidden ' + code + ' is not listed');
  for (const word of expect.hiddenWords) check(!(await pageText()).includes(word), 'no text of hidden records: ' + word);

  // With diacritics: the hit points to page 3 of the PDF, with the match highlighted.
  await search('hồ sơ lưu trữ');
  let ids = await hitIds();
  check(ids.includes(expect.pdfDocId), 'search "hồ sơ lưu trữ" finds the PDF document');
  const snippet = await page.$eval(`#hits .hit[data-id="${expect.pdfDocId}"]`, (e) => ({
    pages: [...e.querySelectorAll('.snippet .page')].map((p) => p.textContent),
    em: [...e.querySelectorAll('.snippet em')].map((x) => x.textContent.toLowerCase()),
  }));
  check(snippet.pages.includes('Trang 3'), 'the snippet shows the page number: ' + snippet.pages.join(', '));
  check(snippet.em.some((t) => t.includes('lưu') || t.includes('trữ')), 'the match is highlighted: ' + snippet.em.join(', '));
  await page.screenshot({ path: screenshot, fullPage: false });
  check(statSync(screenshot).size > 10000, 'screenshot saved');

  // Without diacritics.
  await search('ho so luu tru');
  ids = await hitIds();
  check(ids.includes(expect.pdfDocId), 'search "ho so luu tru" (no diacritics) finds the PDF document');

  // Words only found in hidden records find nothing.
  for (const word of expect.hiddenWords) {
    await search(word);
    check((await hitIds()).every((id) => !expect.hidden.some((c) => id === c || id.startsWith(c + '/'))), 'search "' + word + '" shows no hidden record');
  }

  // Facets narrow the results.
  await search('');
  const before = (await hitIds()).length;
  await page.click(`.facet[data-field="year"] button[data-value="${expect.facetYear}"]`);
  await page.waitForFunction((y) => {
    const b = document.querySelector(`.facet[data-field="year"] button[data-value="${y}"]`);
    return b && b.getAttribute('aria-pressed') === 'true' && !document.getElementById('search-button').disabled;
  }, expect.facetYear);
  ids = await hitIds();
  check(ids.length > 0 && ids.length < before, `year ${expect.facetYear} narrows ${before} -> ${ids.length} hits`);
  check(ids.every((id) => expect.inFacetYear.some((c) => id === c || id.startsWith(c + '/'))), 'only record files of that year remain');
  await page.click(`.facet[data-field="fonds"] button[data-value="${expect.facetFonds}"]`);
  await page.waitForFunction((f) => document.querySelector(`.facet[data-field="fonds"] button[data-value="${f}"]`)?.getAttribute('aria-pressed') === 'true', expect.facetFonds);
  await page.waitForFunction(() => !document.getElementById('search-button').disabled);
  const narrowed = await hitIds();
  check(narrowed.length > 0 && narrowed.length <= ids.length && narrowed.every((id) => id.startsWith(expect.facetFondsFile)), 'fonds facet narrows further');
  await page.click('#clear-filters');
  await page.waitForFunction((n) => document.querySelectorAll('#hits .hit').length === n, before);
  check(true, 'clearing the filters brings every result back');

  // Record text is shown as text, never as markup.
  await search(expect.xssWord);
  const xss = await page.$eval(`#hits .hit[data-id="${expect.xssCode}"] h3`, (h) => ({ text: h.textContent, imgs: h.querySelectorAll('img').length }));
  check(xss.text.includes('<img') && xss.imgs === 0, 'markup in a title is shown as text: ' + xss.text);

  // Open the record file: metadata, documents, viewer and download.
  await search('hồ sơ lưu trữ');
  await page.click(`#hits .hit[data-id="${expect.pdfDocId}"] h3 a`);
  await page.waitForSelector('#record-title');
  check((await page.textContent('#record-title')) === expect.pdfTitle, 'the record file view shows its title');
  const recordText = await page.textContent('#record');
  check(recordText.includes('Mã hồ sơ') && recordText.includes(expect.pdfFileCode), 'metadata (Mã hồ sơ) is shown');
  check(recordText.includes(expect.pdfName) && recordText.includes(expect.imageName), 'the documents and their files are listed');
  check(await page.$eval('.document.current', (d) => d.dataset.doc) === String(expect.pdfDocOrdinal), 'the document of the hit is marked');

  await page.click(`.document[data-doc="${expect.pdfDocOrdinal}"] button.view`);
  await page.waitForSelector('#viewer-body iframe');
  const frame = await page.$eval('#viewer-body iframe', (f) => ({ src: f.getAttribute('src'), bytes: Number(f.dataset.bytes) }));
  check(frame.src.startsWith('blob:') && frame.src.endsWith('#page=3') && frame.bytes === expect.pdfLength, 'the PDF opens in the viewer at page 3 (' + frame.bytes + ' bytes)');

  await page.click(`.document[data-doc="${expect.imageDocOrdinal}"] button.view`);
  await page.waitForSelector('#viewer-body img');
  await page.waitForFunction(() => document.querySelector('#viewer-body img')?.naturalWidth > 0);
  check(true, 'the image opens in the viewer');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`.document[data-doc="${expect.pdfDocOrdinal}"] a.download`),
  ]);
  const saved = await download.path();
  check(download.suggestedFilename() === expect.pdfName && statSync(saved).size === expect.pdfLength, 'download gives the whole file: ' + download.suggestedFilename());

  // Direct links to hidden record files show a clear message and nothing of the record.
  for (const code of expect.hidden) {
    await page.goto(base + '/reading-room/#/ho-so/' + encodeURIComponent(code));
    await page.waitForFunction(() => !document.getElementById('message').hidden);
    const message = await page.textContent('#message');
    check((message.includes('404') || message.includes('không thuộc diện')) && (await page.$$('#record-title')).length === 0, 'direct link to ' + code + ': ' + message);
  }

  // Conditional records (sử dụng có điều kiện): listed from their catalogue entry only, marked, with "Yêu cầu khai
  // thác"; never among the full-text hits, their text finds nothing; readable once an archivist approved a request.
  const cond = expect.conditionalCode;
  const condItem = `#conditional-hits .hit[data-code="${cond}"]`;
  await page.goto(base + '/reading-room/');
  await search(expect.conditionalQuery);
  await page.waitForSelector(condItem);
  const entry = await page.$eval(condItem, (e) => ({ text: e.innerText, button: !!e.querySelector('button.request'), snippets: e.querySelectorAll('.snippet, em').length }));
  check(entry.text.includes('Sử dụng có điều kiện') && entry.text.includes(expect.conditionalTitle) && entry.button && entry.snippets === 0,
    'the conditional record file is listed by its description, marked "Sử dụng có điều kiện", with "Yêu cầu khai thác", no snippet');
  check(!(await hitIds()).some((id) => id === cond || id.startsWith(cond + '/')), 'it is not among the full-text hits');

  // Anonymous: the request is refused with a clear message.
  await page.click(condItem + ' button.request');
  await page.fill(condItem + ' textarea', 'Nghiên cứu lịch sử đê điều Hà Nội');
  await page.click(condItem + ' form button[type="submit"]');
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  check((await page.textContent('#message')).includes('403'), 'an anonymous request is refused: ' + await page.textContent('#message'));

  // With the researcher's key: the request, then its status.
  await page.fill('#reader-key', expect.readerKey);
  await page.click('#reader-key-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('reader-key-status').textContent.includes('Đã nhập'));
  await search(expect.conditionalQuery);
  await page.waitForSelector(condItem + ' button.request');
  await page.click(condItem + ' button.request');
  await page.fill(condItem + ' textarea', 'Nghiên cứu lịch sử đê điều Hà Nội');
  await page.click(condItem + ' form button[type="submit"]');
  await page.waitForSelector('#my-request-list li[data-status="Pending"]');
  check((await page.textContent('#my-requests')).includes('Chờ duyệt'), 'my request shows "Chờ duyệt"');
  check((await page.textContent(condItem)).includes('Chờ duyệt') && (await page.$$(condItem + ' button.request')).length === 0, 'the entry shows the waiting request, no second request button');

  // The archivist approves (through the API); the researcher sees "Đã duyệt (đến ngày …)" and opens the record file.
  const pending = await (await fetch(base + '/api/access-requests?status=Pending', { headers: { 'X-Api-Key': expect.archivistKey } })).json();
  check(pending.items.length === 1 && pending.items[0].fileCode === cond, 'the archivist sees the waiting request');
  const approved = await fetch(base + '/api/access-requests/' + pending.items[0].id + '/approve', {
    method: 'POST', headers: { 'X-Api-Key': expect.archivistKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ validDays: 7 }),
  });
  check(approved.status === 200, 'the archivist approves it (' + approved.status + ')');
  await page.reload();
  await page.waitForSelector('#my-request-list li[data-status="Approved"]');
  check((await page.textContent('#my-requests')).includes('Đã duyệt (đến ngày'), 'my request shows "Đã duyệt (đến ngày …)"');
  await page.click('#my-request-list li[data-status="Approved"] a');
  await page.waitForSelector('#record-title');
  check((await page.textContent('#record-title')) === expect.conditionalTitle, 'under the grant the record file opens');

  check(problems.length === 0, 'no script errors, CSP violations or dialogs' + (problems.length ? ': ' + problems.join('; ') : ''));
} finally {
  await browser.close();
}
console.log(`reading room: ${checks} passed, 0 failed`);

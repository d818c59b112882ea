'use strict';
// Browser test of a training base's upload page, on the phone viewport of run.js: the base
// operator (BASE_LOGIN of the demo base) uploads the demo hours file with two bad rows in
// atomic mode, reads the zh-CN report with its two errors, then uploads the fixed file and
// sees it accepted. The roster of the demo file's four persons goes in first through the API
// with the base's key (BASE_API_KEY). Logins come from tests/integration/demo_logins.py.

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const DATA = path.join(__dirname, '..', 'data');
const CJK = /[\u4e00-\u9fff]/;
const DEMO_IDS = ['310104198503120013', '310115199005210028', '320502198801010032', '310101199211110046',
  '320502198801010002'];

function demoLogins() {
  if (!process.env.TMCRED_STACK) throw new Error('TMCRED_STACK is not set: no demo logins (scripts/stack ctl DIR demo)');
  const script = path.join(__dirname, '..', 'integration', 'demo_logins.py');
  let out;
  try {
    out = execFileSync('python3', [script], { timeout: 130000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`demo logins unavailable: ${String(e.stderr || e.message).replace(/\s+/g, ' ').slice(0, 400)}`);
  }
  const d = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)='([^']*)'$/.exec(line.trim());
    if (m) d[m[1]] = m[2];
  }
  for (const k of ['BASE_LOGIN', 'BASE_PASSWORD', 'BASE_API_KEY']) {
    if (!d[k]) throw new Error(`demo logins lack ${k} (tmcred-ctl demo should print it)`);
  }
  return d;
}

module.exports = async function batchesTests(h) {
  const { run, newPage, url, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait } = h;

  async function apiJson(page, method, p, key, body, contentType) {
    const opts = { headers: { Authorization: `Bearer ${key}` }, failOnStatusCode: false };
    if (body !== undefined) {
      opts.headers['Content-Type'] = contentType;
      opts.data = body;
    }
    const resp = await page.request.fetch(url(p), { method, ...opts });
    let json = null;
    try { json = await resp.json(); } catch (e) { /* not JSON */ }
    return { status: resp.status(), json, text: json ? JSON.stringify(json).slice(0, 400) : '' };
  }

  async function reportValues(page, what) {
    const v = {};
    for (const id of ['batch-status', 'batch-rows', 'batch-accepted', 'batch-rejected']) {
      const loc = page.locator(`#${id}`);
      expect(await loc.count() === 1, `${what}: no #${id} on ${page.url()}`);
      await loc.waitFor({ state: 'visible', timeout: 5000 });
      v[id] = (await loc.innerText()).replace(/\s+/g, ' ').trim();
    }
    for (const id of ['batch-rows', 'batch-accepted', 'batch-rejected']) {
      const m = /\d+/.exec(v[id]);
      expect(m, `${what}: #${id} is ${JSON.stringify(v[id])}`);
      v[id] = Number(m[0]);
    }
    expect(CJK.test(v['batch-status']), `${what}: #batch-status is not zh-CN: ${JSON.stringify(v['batch-status'])}`);
    return v;
  }

  async function uploadFile(page, kind, mode, file) {
    const resp = await page.goto(url('/base/upload'));
    expect(resp && resp.status() === 200, `GET /base/upload status ${resp && resp.status()}`);
    const form = 'form[action="/base/upload"]';
    await page.locator(`${form} select[name="kind"]`).selectOption(kind);
    await page.locator(`${form} select[name="mode"]`).selectOption(mode);
    await page.locator(`${form} input[type="file"][name="file"]`).setInputFiles(path.join(DATA, file));
    await submitAndWait(page, form, (u) => /^\/base\/batches\/\d+$/.test(u.pathname));
    return Number(/\/base\/batches\/(\d+)$/.exec(new URL(page.url()).pathname)[1]);
  }

  await run('mobile_base_upload_errors_then_fixed', async () => {
    const d = demoLogins();
    const { ctx, page } = await newPage({}, 'base-upload');
    try {
      // the four persons of the demo files, through the API with the base's key
      const roster = fs.readFileSync(path.join(DATA, 'roster_demo_gbk.csv'));
      let a = await apiJson(page, 'POST', '/api/v1/batches?kind=roster&mode=atomic', d.BASE_API_KEY, roster, 'text/csv');
      expect(a.status === 201, `roster upload with BASE_API_KEY: ${a.status} ${a.text}`);
      expect(a.json.accepted + a.json.unchanged === 4, `roster upload: ${a.text}`);

      // the base operator logs in with the form
      await page.goto(url('/login'));
      await page.locator('form[action="/login"] [name="login"]').fill(d.BASE_LOGIN);
      await page.locator('form[action="/login"] [name="password"]').fill(d.BASE_PASSWORD);
      await submitAndWait(page, 'form[action="/login"]', (u) => u.pathname !== '/login');

      let resp = await page.goto(url('/base/upload'));
      expect(resp && resp.status() === 200, `GET /base/upload status ${resp && resp.status()}`);
      await assertPageBasics(page, '/base/upload');
      await assertNoHScroll(page, '/base/upload');
      await shot(page, 'base-upload.png');

      // the file with two bad rows, atomic
      const bad = await uploadFile(page, 'hours', 'atomic', 'hours_demo_gbk_with_errors.csv');
      await assertPageBasics(page, `/base/batches/${bad}`);
      let v = await reportValues(page, 'errors file');
      expect(v['batch-rows'] === 6 && v['batch-accepted'] === 0 && v['batch-rejected'] === 2,
        `report of the errors file: ${JSON.stringify(v)}`);
      const rows = await page.evaluate(() => Array.from(document.querySelectorAll('table tr'))
        .map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent.replace(/\s+/g, ' ').trim()))
        .filter((cells) => cells.length));
      const errRows = rows.filter((cells) => /^\d+$/.test(cells[0]));
      expect(errRows.length === 2, `the error table has ${errRows.length} rows, expected 2: ${JSON.stringify(rows)}`);
      expect(JSON.stringify(errRows.map((c) => c[0]).sort()) === '["5","6"]',
        `the error table's rows ${JSON.stringify(errRows.map((c) => c[0]))}, expected 5 and 6`);
      for (const cells of errRows) {
        expect(cells.slice(1).some((c) => CJK.test(c)), `error row ${cells[0]} has no zh-CN message: ${JSON.stringify(cells)}`);
      }
      const csvHref = await page.locator('a[href$="errors.csv"]').first().getAttribute('href');
      expect(csvHref, 'the report page has no link to errors.csv');
      const csvResp = await page.request.get(url(csvHref));
      expect(csvResp.status() === 200 && /text\/csv/.test(csvResp.headers()['content-type'] || ''),
        `GET ${csvHref}: ${csvResp.status()} ${csvResp.headers()['content-type']}`);
      const html = await page.content();
      expect(!DEMO_IDS.some((i) => html.includes(i)), 'the report page shows an ID number in clear');
      await assertNoHScroll(page, `/base/batches/${bad} (errors)`);
      await shot(page, 'base-batch-rejected.png');

      // the fixed file: accepted (or, if another test sent it before, all unchanged)
      const good = await uploadFile(page, 'hours', 'atomic', 'hours_demo_gbk.csv');
      expect(good !== bad, `the fixed file got the same batch id ${good}`);
      v = await reportValues(page, 'fixed file');
      a = await apiJson(page, 'GET', `/api/v1/batches/${good}`, d.BASE_API_KEY);
      expect(a.status === 200, `GET /api/v1/batches/${good} with the base's key: ${a.status} ${a.text}`);
      expect(a.json.status === 'accepted' && a.json.accepted + a.json.unchanged === 6, `fixed file report: ${a.text}`);
      expect(v['batch-rows'] === 6 && v['batch-rejected'] === 0 && v['batch-accepted'] === a.json.accepted,
        `report page of the fixed file ${JSON.stringify(v)}, API ${a.text}`);
      const errTable = await page.evaluate(() => Array.from(document.querySelectorAll('table tr'))
        .filter((tr) => tr.querySelector('td') && /^\d+$/.test(tr.querySelector('td').textContent.trim())).length);
      expect(errTable === 0, `the accepted batch shows ${errTable} error rows`);
      await assertNoHScroll(page, `/base/batches/${good} (accepted)`);
      await shot(page, 'base-batch-accepted.png');

      // the history lists both
      resp = await page.goto(url('/base/batches'));
      expect(resp && resp.status() === 200, `GET /base/batches status ${resp && resp.status()}`);
      for (const id of [bad, good]) {
        expect(await page.locator(`a[href="/base/batches/${id}"]`).count() >= 1, `/base/batches does not link batch ${id}`);
      }
      await assertNoHScroll(page, '/base/batches');
      await shot(page, 'base-batches.png');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });
};

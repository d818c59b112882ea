'use strict';
// tmcred headless-browser tests: Debian's Chromium driven by playwright-core.
// Env: TMCRED_URL (e.g. http://127.0.0.1:41234/).  Prints `ok - name` /
// `not ok - name: reason` per test and `RESULT passed=N failed=M` last.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { chromium } = require('playwright-core');

const BASE = (process.env.TMCRED_URL || 'http://127.0.0.1:18080/').replace(/\/?$/, '/');
const ARTIFACTS = path.join(__dirname, 'artifacts');
const CHROMIUM = process.env.TMCRED_CHROMIUM || '/usr/bin/chromium';
const TEST_LIMIT_MS = 120000;
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) '
    + 'Chrome/120.0 Mobile Safari/537.36',
};

fs.mkdirSync(ARTIFACTS, { recursive: true });

// ------------------------------------------------------------ test data

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
  50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82];
const rnd = (lo, hi) => crypto.randomInt(lo, hi + 1);
const pad = (n, w) => String(n).padStart(w, '0');

function checkChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i];
  return CHECK[s % 11];
}

function makeId() {
  const prov = PROVINCES[rnd(0, PROVINCES.length - 1)];
  const birth = new Date(Date.UTC(1965, 0, 1) + rnd(0, 35 * 365) * 86400000);
  const first17 = pad(prov, 2) + pad(rnd(1, 20), 2) + pad(rnd(1, 30), 2)
    + birth.getUTCFullYear() + pad(birth.getUTCMonth() + 1, 2) + pad(birth.getUTCDate(), 2)
    + pad(rnd(0, 999), 3);
  return first17 + checkChar(first17);
}

function badChecksum(id) {
  const c = id[17];
  return id.slice(0, 17) + ('0123456789X'.split('').find((x) => x !== c));
}

const maskId = (id) => id.slice(0, 4) + '*'.repeat(10) + id.slice(-4);
const maskPhone = (p) => p.slice(0, 3) + '****' + p.slice(-4);

function identity(tag) {
  const surnames = '张王李赵刘陈杨黄周吴';
  const given = '伟芳娜敏静丽强磊军洋';
  return {
    name: surnames[rnd(0, 9)] + given[rnd(0, 9)] + given[rnd(0, 9)],
    id_number: makeId(),
    phone: '1' + '3456789'[rnd(0, 6)] + pad(rnd(0, 999999999), 9),
    email: `br-${tag}.${Date.now()}.${rnd(0, 999999)}@example.com`,
    employer: '上海浏览器测试有限公司',
    password: `Pw-${rnd(10000000, 99999999)}-浏览器`,
  };
}

// ------------------------------------------------------------ harness

const results = [];
let browser;

function fail(msg) { throw new Error(msg); }
function expect(cond, msg) { if (!cond) fail(msg); }

async function withTimeout(p, ms, what) {
  let t;
  const timer = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what} exceeded ${ms} ms`)), ms); });
  try { return await Promise.race([p, timer]); } finally { clearTimeout(t); }
}

async function run(name, fn) {
  // TMCRED_BROWSER_ONLY=substring runs only the tests whose name contains it
  if (process.env.TMCRED_BROWSER_ONLY && !name.includes(process.env.TMCRED_BROWSER_ONLY)) return;
  const t0 = Date.now();
  try {
    await withTimeout(fn(), TEST_LIMIT_MS, name);
    results.push(true);
    console.log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(2)}s)`);
  } catch (e) {
    results.push(false);
    const msg = String((e && e.message) || e).replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').slice(0, 1500);
    console.log(`not ok - ${name}: ${msg}`);
  }
}

async function newPage(ctxOptions, label) {
  const ctx = await browser.newContext({ ...PHONE, ...ctxOptions });
  ctx.setDefaultTimeout(15000);
  ctx.setDefaultNavigationTimeout(20000);
  const page = await ctx.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`${label}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) {
      page.problems.push(`${label}: ${m.text()}`);
    }
  });
  return { ctx, page };
}

const url = (p) => new URL(p.replace(/^\//, ''), BASE).toString();
const pathOf = (u) => { const x = new URL(u); return x.pathname + x.search; };

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

async function assertNoHScroll(page, what) {
  const m = await page.evaluate(() => ({
    sw: document.documentElement.scrollWidth, iw: window.innerWidth,
    bw: document.body ? document.body.scrollWidth : 0,
  }));
  expect(m.sw <= m.iw, `${what}: horizontal scroll (scrollWidth ${m.sw} > innerWidth ${m.iw})`);
}

async function assertPageBasics(page, what) {
  const info = await page.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    vp: (document.querySelector('meta[name="viewport"]') || {}).content || null,
  }));
  expect(info.lang === 'zh-CN', `${what}: <html lang> is ${JSON.stringify(info.lang)}`);
  expect(info.vp && /width=device-width/.test(info.vp.replace(/\s/g, '')), `${what}: viewport meta ${info.vp}`);
}

async function submitAndWait(page, formSel, urlPredicate) {
  const btn = page.locator(`${formSel} button[type="submit"], ${formSel} input[type="submit"]`).first();
  await Promise.all([
    page.waitForURL(urlPredicate, { timeout: 20000 }),
    btn.click(),
  ]);
}

async function fillRegister(page, d) {
  for (const f of ['name', 'id_number', 'phone', 'email', 'employer', 'password']) {
    await page.locator(`form[action="/register"] [name="${f}"]`).fill(d[f]);
  }
}

// ------------------------------------------------------------ flows

async function registerLoginMe(page, d, prefix) {
  let resp = await page.goto(url('/'));
  expect(resp && resp.status() === 200, `GET / status ${resp && resp.status()}`);
  await assertPageBasics(page, '/');
  await assertNoHScroll(page, '/');
  await shot(page, `${prefix}home.png`);

  resp = await page.goto(url('/register'));
  expect(resp && resp.status() === 200, `GET /register status ${resp && resp.status()}`);
  await assertPageBasics(page, '/register');
  await assertNoHScroll(page, '/register');
  await shot(page, `${prefix}register.png`);

  await fillRegister(page, d);
  await submitAndWait(page, 'form[action="/register"]', (u) => u.pathname === '/login');
  expect(pathOf(page.url()) === '/login?registered=1', `after registering: at ${page.url()}, expected /login?registered=1`);
  await assertPageBasics(page, '/login');
  await assertNoHScroll(page, '/login');
  await shot(page, `${prefix}login.png`);

  await page.locator('form[action="/login"] [name="login"]').fill(d.email);
  await page.locator('form[action="/login"] [name="password"]').fill(d.password);
  await submitAndWait(page, 'form[action="/login"]', (u) => u.pathname === '/me');
  await assertPageBasics(page, '/me');
  const name = (await page.locator('#me-name').innerText()).trim();
  expect(name === d.name, `/me #me-name ${JSON.stringify(name)}, expected ${JSON.stringify(d.name)}`);
  const idm = (await page.locator('#me-id-number').innerText()).trim();
  expect(/^\d{4}\*{10}\d{3}[\dX]$/.test(idm), `/me #me-id-number ${JSON.stringify(idm)} is not 4 + 10*'*' + 4`);
  expect(idm === maskId(d.id_number), `/me #me-id-number ${idm}, expected ${maskId(d.id_number)}`);
  const phone = (await page.locator('#me-phone').innerText()).trim();
  expect(phone === maskPhone(d.phone), `/me #me-phone ${phone}, expected ${maskPhone(d.phone)}`);
  const html = await page.content();
  expect(!html.includes(d.id_number), '/me contains the ID number in clear');
  await assertNoHScroll(page, '/me');
  await shot(page, `${prefix}me.png`);

  // log out with the button, then /me sends us to /login
  await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.locator('#logout').click()]);
  resp = await page.goto(url('/me'));
  expect(new URL(page.url()).pathname === '/login', `after logout, /me ended at ${page.url()}`);
}

async function main() {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  console.log(`# tmcred browser tests against ${BASE} (Chromium ${browser.version()})`);

  await run('mobile_register_login_me', async () => {
    const { ctx, page } = await newPage({}, 'mobile');
    try {
      await registerLoginMe(page, identity('m'), 'mobile-');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });

  await run('mobile_bad_id_shows_field_error', async () => {
    const { ctx, page } = await newPage({}, 'bad-id');
    try {
      const d = identity('bad');
      d.id_number = badChecksum(d.id_number);
      await page.goto(url('/register'));
      await fillRegister(page, d);
      // JS may show the error before submitting; otherwise the server answers 422
      let postResp = null;
      const waitPost = page.waitForResponse((r) => r.request().method() === 'POST'
        && new URL(r.url()).pathname === '/register', { timeout: 20000 })
        .then((r) => { postResp = r; }, () => {});
      await page.locator('form[action="/register"] button[type="submit"], form[action="/register"] input[type="submit"]').first().click();
      const err = page.locator('.field-error').filter({ hasText: /[\u4e00-\u9fff]/ }).first();
      await err.waitFor({ state: 'visible', timeout: 20000 });
      await Promise.race([waitPost, new Promise((r) => setTimeout(r, 1000))]);
      if (postResp) {
        expect(postResp.status() === 422, `POST /register with a bad ID: status ${postResp.status()}`);
        await page.waitForLoadState('load');
      }
      const text = (await err.innerText()).trim();
      expect(/[\u4e00-\u9fff]/.test(text), `field error is not zh-CN: ${JSON.stringify(text)}`);
      // the error sits by the ID-number input: nearest field in document order
      const near = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('input:not([type=hidden]):not([type=submit]), .field-error'));
        const out = [];
        all.forEach((el, i) => {
          if (!el.classList.contains('field-error') || !el.textContent.trim()) return;
          let best = null; let bd = 1e9;
          all.forEach((o, j) => {
            if (o.classList.contains('field-error')) return;
            const dd = Math.abs(i - j) + (j > i ? 0.5 : 0);
            if (dd < bd) { bd = dd; best = o.name; }
          });
          out.push(best);
        });
        return out;
      });
      expect(near.includes('id_number'), `no field error next to id_number (errors are next to ${JSON.stringify(near)})`);
      expect(!near.some((f) => ['name', 'phone', 'email', 'employer'].includes(f)),
        `field errors next to valid fields: ${JSON.stringify(near)}`);
      const kept = await page.locator('form[action="/register"] [name="name"]').inputValue();
      expect(kept === d.name, `entered name not kept: ${JSON.stringify(kept)}`);
      if (postResp) {
        const pw = await page.locator('form[action="/register"] [name="password"]').inputValue();
        expect(pw === '', 'password kept in the form re-rendered by the server');
      }
      await assertNoHScroll(page, '/register with errors');
      await shot(page, 'mobile-register-error.png');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });

  await run('nojs_register_login_me', async () => {
    const { ctx, page } = await newPage({ javaScriptEnabled: false }, 'nojs');
    try {
      await registerLoginMe(page, identity('nojs'), 'nojs-');
    } finally { await ctx.close(); }
  });

  await run('nojs_bad_id_shows_field_error', async () => {
    const { ctx, page } = await newPage({ javaScriptEnabled: false }, 'nojs-bad');
    try {
      const d = identity('nojsbad');
      d.id_number = badChecksum(d.id_number);
      await page.goto(url('/register'));
      await fillRegister(page, d);
      const [resp] = await Promise.all([
        page.waitForNavigation({ timeout: 20000 }),
        page.locator('form[action="/register"] button[type="submit"], form[action="/register"] input[type="submit"]').first().click(),
      ]);
      expect(resp && resp.status() === 422, `POST /register with a bad ID: status ${resp && resp.status()}`);
      const err = page.locator('.field-error').filter({ hasText: /[\u4e00-\u9fff]/ }).first();
      await err.waitFor({ state: 'visible', timeout: 5000 });
      const pw = await page.locator('form[action="/register"] [name="password"]').inputValue();
      expect(pw === '', 'password kept in the re-rendered form');
      const kept = await page.locator('form[action="/register"] [name="email"]').inputValue();
      expect(kept === d.email, `entered email not kept: ${JSON.stringify(kept)}`);
      await assertNoHScroll(page, '/register with errors (no JS)');
      await shot(page, 'nojs-register-error.png');
    } finally { await ctx.close(); }
  });

  // courses, enrolment, records and credits (courses.js)
  await require('./courses')({
    run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
    fillRegister, identity,
  });

  // assessment: the eligibility checklist and the reviewer's senior path (assessment.js)
  await require('./assessment')({
    run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
    fillRegister, identity,
  });

  // training bases: the upload page and its reports (batches.js)
  await require('./batches')({
    run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
  });

  // certificate verification: the page a phone opens from the QR code (verify.js)
  await require('./verify')({
    run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
  });

  // goal progress: the public page with its server-drawn chart (progress.js)
  await require('./progress')({
    run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
  });
}

main()
  .catch((e) => {
    results.push(false);
    console.log(`not ok - browser_setup: ${String((e && e.message) || e).replace(/\s+/g, ' ').slice(0, 1500)}`);
  })
  .finally(async () => {
    try { if (browser) await withTimeout(browser.close(), 15000, 'browser.close'); } catch (e) { /* ignore */ }
    const passed = results.filter(Boolean).length;
    const failed = results.length - passed;
    console.log(`RESULT passed=${passed} failed=${failed}`);
    process.exit(failed ? 1 : 0);
  });

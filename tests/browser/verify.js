'use strict';
// Browser tests for certificate verification (issue 7): what an employer sees after scanning
// the QR code with a phone. The demo certificates (DEMO_CERT_URL, _EXPIRED, _SUSPENDED,
// _REVOKED) come from `tmcred-ctl demo` through tests/integration/demo_logins.py, like the
// demo logins of courses.js. run.js calls this module with its harness helpers.

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const VALID_SHOT = '/tmp/verify-valid.png';

function demo() {
  if (!process.env.TMCRED_STACK) throw new Error('TMCRED_STACK is not set: no demo certificates (scripts/stack ctl DIR demo)');
  const script = path.join(__dirname, '..', 'integration', 'demo_logins.py');
  let out;
  try {
    out = execFileSync('python3', [script], { timeout: 130000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`demo data unavailable: ${String(e.stderr || e.message).replace(/\s+/g, ' ').slice(0, 400)}`);
  }
  const d = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)='([^']*)'$/.exec(line.trim());
    if (m) d[m[1]] = m[2];
  }
  for (const k of ['DEMO_CERT_SERIAL', 'DEMO_CERT_URL', 'DEMO_CERT_URL_EXPIRED', 'DEMO_CERT_URL_SUSPENDED',
    'DEMO_CERT_URL_REVOKED', 'TRAINEE_LOGIN', 'TRAINEE_PASSWORD']) {
    if (!d[k]) throw new Error(`tmcred-ctl demo printed no ${k}`);
  }
  return d;
}

// A QR link changed in one character of its token (the part after the last '/').
function altered(url) {
  const i = url.length - 20;
  return url.slice(0, i) + (url[i] === 'A' ? 'B' : 'A') + url.slice(i + 1);
}

module.exports = async function verifyTests(h) {
  const { run, newPage, url, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait } = h;

  // The demo trainee's full name, from the API (the page must only show it masked).
  async function holderName(d) {
    const { ctx, page } = await newPage({}, 'holder');
    try {
      const r = await page.request.post(url('/api/v1/session'), { data: { login: d.TRAINEE_LOGIN, password: d.TRAINEE_PASSWORD } });
      expect(r.status() === 200, `demo trainee login: ${r.status()}`);
      const me = await page.request.get(url('/api/v1/me'));
      expect(me.status() === 200, `GET /api/v1/me: ${me.status()}`);
      return (await me.json()).name;
    } finally { await ctx.close(); }
  }

  async function verdict(page) {
    const box = page.locator('#verdict');
    await box.waitFor({ state: 'visible', timeout: 10000 });
    return {
      status: await box.getAttribute('data-status'),
      text: (await page.locator('#verify-status').innerText()).trim(),
      colours: await box.evaluate((el) => {
        const s = getComputedStyle(el);
        return { bg: s.backgroundColor, border: s.borderLeftColor, font: getComputedStyle(el.querySelector('#verify-status')).fontSize };
      }),
    };
  }

  // "rgb(r, g, b)" -> [r, g, b]
  const rgb = (s) => (s.match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);

  async function openLink(page, link, what) {
    const resp = await page.goto(link);
    expect(resp && resp.status() === 200, `${what}: status ${resp && resp.status()}`);
    await assertPageBasics(page, what);
    await assertNoHScroll(page, what);
    return resp;
  }

  await run('mobile_verify_valid_demo_certificate', async () => {
    const d = demo();
    const name = await holderName(d);
    const { ctx, page } = await newPage({}, 'verify-valid');
    try {
      // the QR holds an upper-case link (HTTP://127.0.0.1:PORT/V/...): open it as a phone would
      await openLink(page, d.DEMO_CERT_URL, 'DEMO_CERT_URL');
      const v = await verdict(page);
      expect(v.status === 'valid' && v.text === '有效', `verdict ${JSON.stringify(v)}, expected 有效`);
      const [r, g, b] = rgb(v.colours.border);
      expect(g > r && g > b, `the valid verdict is not green (border ${v.colours.border})`);
      expect(parseFloat(v.colours.font) >= 24, `the verdict text is small (${v.colours.font})`);
      const holder = (await page.locator('#verify-holder').innerText()).trim();
      expect(holder.includes('*') && holder[0] === name[0] && holder.length === name.length,
        `#verify-holder ${JSON.stringify(holder)} is not the masked ${JSON.stringify(name)}`);
      const serial = (await page.locator('#verify-serial').innerText()).trim();
      expect(serial === d.DEMO_CERT_SERIAL, `#verify-serial ${serial}`);
      expect((await page.locator('#verify-level').innerText()).includes('初级'), '#verify-level lacks 初级');
      const html = await page.content();
      expect(!html.includes(name), `the page shows the full name ${name}`);
      expect(!/\d{17}[\dXx]/.test(html) && !/1[3-9]\d{9}/.test(html) && !/@/.test(await page.locator('main').innerText()),
        'the page shows something like an ID number, a phone number or an e-mail');
      // the verdict is in the first screen of the phone
      const box = await page.locator('#verdict').boundingBox();
      expect(box && box.y + box.height <= 844, `the verdict is below the first screen (${JSON.stringify(box)})`);
      await page.screenshot({ path: VALID_SHOT, fullPage: true });
      await shot(page, 'verify-valid.png');
      expect(fs.statSync(VALID_SHOT).size > 1000, `${VALID_SHOT} is empty`);
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });

  await run('mobile_verify_other_states', async () => {
    const d = demo();
    const { ctx, page } = await newPage({}, 'verify-states');
    try {
      const cases = [
        ['DEMO_CERT_URL_EXPIRED', 'expired', '已过期'],
        ['DEMO_CERT_URL_SUSPENDED', 'suspended', '已暂停'],
        ['DEMO_CERT_URL_REVOKED', 'revoked', '已撤销'],
      ];
      const seen = {};
      for (const [k, status, zh] of cases) {
        await openLink(page, d[k], k);
        const v = await verdict(page);
        expect(v.status === status && v.text === zh, `${k}: verdict ${JSON.stringify(v)}, expected ${zh}`);
        const holder = (await page.locator('#verify-holder').innerText()).trim();
        expect(holder.includes('*'), `${k}: #verify-holder ${JSON.stringify(holder)} is not masked`);
        seen[status] = v.colours.bg;
        await shot(page, `verify-${status}.png`);
      }
      // a forged link: one character of the token changed
      await openLink(page, altered(d.DEMO_CERT_URL), 'an altered DEMO_CERT_URL');
      const f = await verdict(page);
      expect(f.status === 'forged' && f.text === '伪造或被篡改', `altered link: verdict ${JSON.stringify(f)}`);
      expect(await page.locator('#verify-details').count() === 0, 'a forged link shows certificate details');
      const [r, g] = rgb(f.colours.border);
      expect(r > g, `the forged verdict is not red (border ${f.colours.border})`);
      seen.forged = f.colours.bg;
      await shot(page, 'verify-forged.png');
      expect(new Set(Object.values(seen)).size >= 3, `verdict boxes look alike: ${JSON.stringify(seen)}`);
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });

  await run('mobile_verify_typed_serial_form', async () => {
    const d = demo();
    const { ctx, page } = await newPage({}, 'verify-form');
    try {
      await openLink(page, url('/verify'), '/verify');
      const serial = d.DEMO_CERT_SERIAL;
      const wrong = serial.slice(0, -1) + (serial.endsWith('0') ? '1' : '0');
      await page.locator('form[action="/verify"] [name="serial"]').fill(wrong);
      const [resp] = await Promise.all([
        page.waitForNavigation({ timeout: 20000 }),
        page.locator('form[action="/verify"] button[type="submit"]').click(),
      ]);
      expect(resp && resp.status() === 400, `/verify with a wrong check character: status ${resp && resp.status()}`);
      const err = page.locator('#serial-error');
      await err.waitFor({ state: 'visible', timeout: 5000 });
      const msg = (await err.innerText()).trim();
      expect(msg.includes('校验位'), `#serial-error ${JSON.stringify(msg)} lacks the check-character message`);
      expect(await page.locator('#verdict').count() === 0, 'a mistyped serial shows a verdict');
      const input = page.locator('form[action="/verify"] [name="serial"]');
      expect(await input.getAttribute('aria-invalid') === 'true'
        && await input.getAttribute('aria-describedby') === 'serial-error',
      'the serial input is not marked aria-invalid / described by #serial-error');
      const kept = await input.inputValue();
      expect(kept === wrong, `the typed serial is not kept: ${JSON.stringify(kept)}`);
      await assertNoHScroll(page, '/verify with an error');
      await shot(page, 'verify-form-error.png');
      // typed correctly (lower case, as people type): the registry's answer, marked as unsigned
      await page.locator('form[action="/verify"] [name="serial"]').fill(serial.toLowerCase());
      await submitAndWait(page, 'form[action="/verify"]', (u) => u.pathname === '/verify');
      const v = await verdict(page);
      expect(v.status === 'valid' && v.text === '有效', `typed serial: verdict ${JSON.stringify(v)}`);
      expect((await page.locator('main').innerText()).includes('未经二维码签名核验'),
        'the typed-serial answer does not say it was not checked against a signature');
      await assertNoHScroll(page, '/verify?serial=');
      await shot(page, 'verify-typed.png');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });
  await run('mobile_sign_and_verify_credit_statement', async () => {
    const d = demo();
    const { ctx, page } = await newPage({}, 'statement');
    try {
      const r = await page.request.post(url('/api/v1/session'), { data: { login: d.TRAINEE_LOGIN, password: d.TRAINEE_PASSWORD } });
      expect(r.status() === 200, `demo trainee login: ${r.status()}`);
      await openLink(page, url('/me/credits/statement'), '/me/credits/statement');
      const sign = page.locator('form#sign-statement button[type="submit"]');
      expect(await sign.count() === 1, 'the statement page has no signing button');
      await shot(page, 'statement-ledger.png');
      await submitAndWait(page, 'form#sign-statement', (u) => u.pathname.startsWith('/me/credits/statements/CS-'));
      const no = (await page.locator('#statement-no').innerText()).trim();
      expect(/^CS-[A-Z]{2,4}-\d{4}-\d{6}-[0-9A-Z*]$/.test(no), `statement number ${JSON.stringify(no)}`);
      const qr = page.locator('img.qr');
      await qr.waitFor({ state: 'visible', timeout: 10000 });
      expect(await qr.evaluate((el) => el.complete && el.naturalWidth > 50), 'the QR image did not load');
      expect(await page.locator('#statement-pdf').count() === 1, 'no PDF link');
      await assertNoHScroll(page, 'the signed statement');
      await shot(page, 'statement-signed.png');
      const link = await page.locator('#statement-link').getAttribute('href');
      expect(/\/V\/CS-/.test(link || ''), `verification link ${link}`);
      // the employer's phone: a fresh context, no login
      const emp = await newPage({}, 'statement-verify');
      try {
        await openLink(emp.page, link, 'the statement link');
        const v = await verdict(emp.page);
        expect(v.status === 'valid' && v.text === '有效', `statement verdict ${JSON.stringify(v)}`);
        const rows = await emp.page.locator('#verify-years tbody tr').count();
        expect(rows >= 1, `the verify page lists ${rows} years`);
        expect((await emp.page.locator('#verify-no').innerText()).trim() === no, '#verify-no differs');
        const holder = (await emp.page.locator('#verify-holder').innerText()).trim();
        expect(holder.includes('*'), `#verify-holder ${JSON.stringify(holder)} is not masked`);
        await assertNoHScroll(emp.page, 'the statement verify page');
        await shot(emp.page, 'statement-verify.png');
        await openLink(emp.page, altered(link), 'an altered statement link');
        const f = await verdict(emp.page);
        expect(f.status === 'forged', `altered statement link: verdict ${JSON.stringify(f)}`);
        expect(await emp.page.locator('#verify-years').count() === 0, 'a forged statement shows figures');
        expect(!emp.page.problems.length, emp.page.problems.join(' | '));
      } finally { await emp.ctx.close(); }
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });
};

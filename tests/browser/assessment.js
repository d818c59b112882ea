'use strict';
// Browser tests for assessment, on the phone viewport of run.js: the eligibility
// checklist shows every unmet reason (the same list the API gives), a trainee
// declares evidence that a reviewer verifies, and a reviewer runs the senior
// path (queue → candidate → score entry → defence panel) until the candidate
// is eligible.  Logins come from tests/integration/demo_logins.py.

const path = require('path');
const { execFileSync } = require('child_process');

function demoLogins() {
  const script = path.join(__dirname, '..', 'integration', 'demo_logins.py');
  const out = execFileSync('python3', [script], { timeout: 130000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const d = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)='([^']*)'$/.exec(line.trim());
    if (m) d[m[1]] = m[2];
  }
  for (const k of ['TRAINEE_LOGIN', 'TRAINEE_PASSWORD', 'REVIEWER_LOGIN', 'REVIEWER_PASSWORD']) {
    if (!d[k]) throw new Error(`demo logins lack ${k}`);
  }
  return d;
}

const today = (back) => new Date(Date.now() - (back || 0) * 86400000).toISOString().slice(0, 10);

module.exports = async function assessmentTests(h) {
  const { run, newPage, url, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
    fillRegister, identity } = h;

  async function login(page, loginName, password) {
    await page.goto(url('/login'));
    await page.locator('form[action="/login"] [name="login"]').fill(loginName);
    await page.locator('form[action="/login"] [name="password"]').fill(password);
    await submitAndWait(page, 'form[action="/login"]', (u) => u.pathname === '/me');
  }

  // Every unmet reason of the API is on the page, visible and inside the phone's width.
  async function checklistMatchesApi(page, what) {
    for (const level of ['junior', 'intermediate', 'senior']) {
      const api = await page.evaluate(async (lv) => {
        const r = await fetch(`/api/v1/me/eligibility?level=${lv}`, { headers: { Accept: 'application/json' } });
        return r.json();
      }, level);
      const sec = page.locator(`#level-${level}`);
      await sec.waitFor({ state: 'visible' });
      expect((await sec.getAttribute('data-eligible')) === (api.eligible ? 'yes' : 'no'),
        `${what} ${level}: page and API disagree on eligibility`);
      const items = sec.locator('li.unmet');
      expect(await items.count() === api.unmet.length,
        `${what} ${level}: ${await items.count()} unmet items on the page, API lists ${api.unmet.length}`);
      for (let i = 0; i < api.unmet.length; i++) {
        const li = items.nth(i);
        expect((await li.getAttribute('data-code')) === api.unmet[i].code,
          `${what} ${level}: item ${i} is ${await li.getAttribute('data-code')}, API ${api.unmet[i].code}`);
        const text = (await li.innerText()).trim();
        expect(text.includes(api.unmet[i].message), `${what} ${level}: "${text}" lacks "${api.unmet[i].message}"`);
        await li.scrollIntoViewIfNeeded();
        expect(await li.isVisible(), `${what} ${level}: ${api.unmet[i].code} not visible`);
        const box = await li.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 391, `${what} ${level}: ${api.unmet[i].code} overflows the phone`);
      }
      expect(await sec.locator('li.met').count() + api.unmet.length > 0, `${what} ${level}: empty checklist`);
    }
  }

  await run('mobile_eligibility_checklist_every_reason', async () => {
    const { ctx, page } = await newPage({}, 'eligibility');
    try {
      // a fresh trainee: every requirement of every level is missing
      const d = identity('elig');
      await page.goto(url('/register'));
      await fillRegister(page, d);
      await submitAndWait(page, 'form[action="/register"]', (u) => u.pathname !== '/register');
      if (new URL(page.url()).pathname !== '/me') await login(page, d.email, d.password);
      const resp = await page.goto(url('/me/eligibility'));
      expect(resp && resp.status() === 200, `/me/eligibility status ${resp && resp.status()}`);
      await assertPageBasics(page, '/me/eligibility');
      await assertNoHScroll(page, '/me/eligibility');
      const senior = await page.locator('#level-senior li.unmet').count();
      expect(senior >= 10, `a fresh trainee should see at least 10 senior reasons, saw ${senior}`);
      await checklistMatchesApi(page, 'fresh trainee');
      await shot(page, 'eligibility-fresh.png');

      // declare evidence through the form; it shows as pending
      await page.goto(url('/me/evidence'));
      await assertNoHScroll(page, '/me/evidence');
      await page.locator('#kind').selectOption('education');
      await page.locator('#title').fill('华东理工大学');
      await page.locator('#degree').selectOption('bachelor');
      await page.locator('#on_date').fill('2015-07-01');
      await submitAndWait(page, 'form[action="/me/evidence"]', (u) => u.pathname === '/me/evidence');
      const item = page.locator('#evidence-list li[data-kind="education"]');
      expect(await item.count() === 1 && (await item.getAttribute('data-status')) === 'pending',
        'the declared education should be listed as pending');
      // a future date is refused with the field named, nothing stored
      await page.locator('#kind').selectOption('writing');
      await page.locator('#title').fill('案例报告');
      await page.locator('#writing_kind').selectOption('case_report');
      await page.locator('#on_date').fill(today(-30));
      const [r2] = await Promise.all([page.waitForNavigation(),
        page.locator('form[action="/me/evidence"] button[type="submit"]').click()]);
      expect(r2 && r2.status() === 422, `future date: status ${r2 && r2.status()}`);
      await page.locator('.field-error').first().waitFor({ state: 'visible' });
      await page.goto(url('/me/evidence'));
      expect(await page.locator('#evidence-list li').count() === 1, 'the refused item was stored');

      // the demo trainee: eligible for junior, several reasons for intermediate
      await page.context().clearCookies();
      const demo = demoLogins();
      await login(page, demo.TRAINEE_LOGIN, demo.TRAINEE_PASSWORD);
      await page.goto(url('/me/eligibility'));
      await checklistMatchesApi(page, 'demo trainee');
      expect((await page.locator('#level-junior').getAttribute('data-eligible')) === 'yes', 'demo trainee junior');
      expect(await page.locator('#level-intermediate li.unmet').count() >= 3, 'demo trainee intermediate reasons');
      await shot(page, 'eligibility-demo.png');
    } finally { await ctx.close(); }
  });

  await run('mobile_reviewer_senior_path', async () => {
    const demo = demoLogins();
    const { ctx, page } = await newPage({}, 'reviewer');
    try {
      await login(page, demo.REVIEWER_LOGIN, demo.REVIEWER_PASSWORD);
      // evidence waiting for review: verify the first one
      let resp = await page.goto(url('/review/evidence'));
      expect(resp && resp.status() === 200, `/review/evidence status ${resp && resp.status()}`);
      await assertNoHScroll(page, '/review/evidence');
      const pending = page.locator('#pending-evidence > li');
      const n0 = await pending.count();
      expect(n0 >= 1, 'there should be pending evidence (the demo trainee\'s deal at least)');
      const form = pending.first().locator('form');
      await form.locator('select[name="status"]').selectOption('verified');
      await Promise.all([page.waitForURL((u) => u.pathname === '/review/evidence'),
        form.locator('button[type="submit"]').click()]);
      expect(await page.locator('#pending-evidence > li').count() === n0 - 1, 'the verified item left the queue');

      // the senior queue: 东方磊 only lacks the defence
      resp = await page.goto(url('/review/candidates?level=senior&name=' + encodeURIComponent('东方磊')));
      expect(resp && resp.status() === 200, `/review/candidates status ${resp && resp.status()}`);
      await assertPageBasics(page, '/review/candidates');
      await assertNoHScroll(page, '/review/candidates');
      const zl = page.locator('#candidates > li', { hasText: '东方磊' });
      expect((await zl.getAttribute('data-eligible')) === 'no', '东方磊 should not be eligible yet');
      expect((await zl.locator('li.unmet').getAttribute('data-code')) === 'defence_failed', '东方磊 lacks the defence');
      await Promise.all([page.waitForURL((u) => /^\/review\/candidates\/\d+$/.test(u.pathname)),
        zl.locator('a').first().click()]);
      const back = new URL(page.url()).pathname;
      await assertNoHScroll(page, back);

      // score entry: a case-analysis resit
      await page.locator('#s-level').selectOption('senior');
      await page.locator('#s-part').selectOption('case');
      await page.locator('#s-score').fill('77.5');
      await page.locator('#s-on').fill(today(0));
      await submitAndWait(page, '#score-form', (u) => u.pathname === back);
      expect(await page.locator('#scores li', { hasText: '77.5' }).count() >= 1, 'the entered score is listed');

      // panel entry: four experts are refused (422, nothing stored), five clean ones pass
      const failed = page.locator('#panels > li[data-result="fail"]').first();
      const failedId = await failed.getAttribute('data-panel');
      const pool = await page.locator('#expert-pool li').evaluateAll((ls) => ls
        .filter((l) => l.getAttribute('data-employer') !== '上海技术交易所')
        .map((l) => l.getAttribute('data-expert')));
      expect(pool.length >= 5, `expert pool ${pool.length}`);
      const panelsBefore = await page.locator('#panels > li').count();
      async function fillPanel(k) {
        await page.locator('#p-on').fill(today(0));
        for (let i = 1; i <= 7; i++) {
          await page.locator(`[name="expert_${i}"]`).fill(i <= k ? pool[i - 1] : '');
          await page.locator(`[name="score_${i}"]`).fill(i <= k ? '80' : '');
          await page.locator(`[name="vote_${i}"]`).selectOption(i <= k ? 'pass' : '');
        }
        await page.locator('#p-sup').fill(failedId);
        await page.locator('#p-reason').fill('复议后重新答辩');
      }
      await fillPanel(4);
      const [bad] = await Promise.all([page.waitForNavigation(), page.locator('#panel-form button[type="submit"]').click()]);
      expect(bad && bad.status() === 422, `a four-expert panel: status ${bad && bad.status()}`);
      await page.goto(url(back));
      expect(await page.locator('#panels > li').count() === panelsBefore, 'the refused panel was stored');
      await fillPanel(5);
      await submitAndWait(page, '#panel-form', (u) => u.pathname === back);
      expect(await page.locator('#panels > li[data-result="pass"]').count() >= 1, 'the new panel passes');
      expect((await page.locator('#level-senior').getAttribute('data-eligible')) === 'yes',
        '东方磊 should now be eligible for senior');
      await shot(page, 'reviewer-senior.png');
    } finally { await ctx.close(); }
  });
};

'use strict';
// Browser tests for the courses / enrolment / records / credits pages, on the
// phone viewport of run.js.  run.js calls this module with its harness helpers.
//
// The demo trainee's logins come from the integration runner's cache
// ($TMCRED_STACK/demo-logins.env), through tests/integration/demo_logins.py,
// which runs `scripts/stack ctl DIR demo` itself if nobody has yet.

const path = require('path');
const { execFileSync } = require('child_process');

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
  for (const k of ['TRAINEE_LOGIN', 'TRAINEE_PASSWORD']) if (!d[k]) throw new Error(`demo logins lack ${k}`);
  return d;
}

module.exports = async function coursesTests(h) {
  const { run, newPage, url, pathOf, expect, shot, assertNoHScroll, assertPageBasics, submitAndWait,
    fillRegister, identity } = h;

  async function login(page, loginName, password) {
    await page.goto(url('/login'));
    await page.locator('form[action="/login"] [name="login"]').fill(loginName);
    await page.locator('form[action="/login"] [name="password"]').fill(password);
    await submitAndWait(page, 'form[action="/login"]', (u) => u.pathname === '/me');
  }

  async function checkPage(page, p, what, shotName) {
    const resp = await page.goto(url(p));
    expect(resp && resp.status() === 200, `GET ${p} (${what}) status ${resp && resp.status()}`);
    await assertPageBasics(page, p);
    await assertNoHScroll(page, p);
    if (shotName) await shot(page, shotName);
    return resp;
  }

  await run('mobile_courses_filter_enrol', async () => {
    demoLogins(); // the demo catalogue (junior courses with offerings) comes with `tmcred-ctl demo`
    const { ctx, page } = await newPage({}, 'courses');
    try {
      const d = identity('crs');
      await page.goto(url('/register'));
      await fillRegister(page, d);
      await submitAndWait(page, 'form[action="/register"]', (u) => u.pathname === '/login');
      await login(page, d.email, d.password);

      await checkPage(page, '/courses', 'trainee', 'courses-all.png');
      // filter by level 初级 with the filter link
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/courses' && u.searchParams.get('level') === 'junior'),
        page.getByRole('link', { name: '初级', exact: true }).first().click(),
      ]);
      await assertNoHScroll(page, '/courses?level=junior');
      await shot(page, 'courses-junior.png');
      const linked = await page.evaluate(() => Array.from(document.querySelectorAll('main a[href^="/courses/"]'))
        .map((a) => a.getAttribute('href').slice('/courses/'.length)));
      const api = await page.request.get(url('/api/v1/courses?level=junior'));
      expect(api.status() === 200, `GET /api/v1/courses?level=junior status ${api.status()}`);
      const junior = (await api.json()).courses.map((c) => c.code).sort();
      expect(JSON.stringify([...new Set(linked)].sort()) === JSON.stringify(junior),
        `/courses?level=junior links ${JSON.stringify(linked)}, expected the junior courses ${JSON.stringify(junior)}`);
      const nonJunior = await page.evaluate(() => Array.from(document.querySelectorAll('main li'))
        .filter((li) => li.querySelector('a[href^="/courses/"]') && /中级|高级/.test(li.textContent))
        .map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
      expect(!nonJunior.length, `/courses?level=junior shows other levels: ${JSON.stringify(nonJunior)}`);

      // open the first junior course
      const first = page.locator('main a[href^="/courses/"]').first();
      const href = await first.getAttribute('href');
      await Promise.all([page.waitForURL((u) => u.pathname === href), first.click()]);
      await assertPageBasics(page, href);
      await assertNoHScroll(page, href);
      await shot(page, 'course-before-enrol.png');

      // 报名 on the first offering that offers it
      const li = page.locator('li[id^="offering-"]').filter({ has: page.locator('button.enrol') }).first();
      expect(await li.count() === 1, `${href}: no offering with a button.enrol`);
      const liId = await li.getAttribute('id');
      const btn = li.locator('button.enrol');
      expect((await btn.innerText()).includes('报名'), `enrol button text ${JSON.stringify(await btn.innerText())}`);
      await Promise.all([
        page.waitForURL((u) => u.pathname === href && u.searchParams.get('done') === 'enrolled'),
        btn.click(),
      ]);
      expect(pathOf(page.url()) === `${href}?done=enrolled`, `after 报名: at ${page.url()}`);
      const notice = page.locator('p.notice');
      await notice.waitFor({ state: 'visible', timeout: 5000 });
      const nt = (await notice.innerText()).trim();
      expect(/[\u4e00-\u9fff]/.test(nt), `p.notice is not zh-CN: ${JSON.stringify(nt)}`);
      const mine = page.locator(`li#${liId}`);
      const liText = await mine.innerText();
      expect(liText.includes('已报名'), `li#${liId} after 报名 lacks 已报名: ${JSON.stringify(liText)}`);
      expect(await mine.locator('button.withdraw').count() === 1, `li#${liId}: no button.withdraw after 报名`);
      expect(await mine.locator('button.enrol').count() === 0, `li#${liId}: button.enrol still shown after 报名`);
      await assertNoHScroll(page, `${href}?done=enrolled`);
      await shot(page, 'course-enrolled.png');

      // and withdraw again (keeps the demo offering's seats as they were)
      await Promise.all([
        page.waitForURL((u) => u.pathname === href && u.searchParams.get('done') === 'withdrawn'),
        mine.locator('button.withdraw').click(),
      ]);
      await page.locator('p.notice').waitFor({ state: 'visible', timeout: 5000 });
      expect(!(await page.locator(`li#${liId}`).innerText()).includes('已报名'), `li#${liId} still says 已报名 after 退出`);

      await checkPage(page, '/me/records', 'fresh trainee', 'me-records-empty.png');
      await checkPage(page, '/me/credits', 'fresh trainee', 'me-credits-empty.png');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });

  await run('mobile_demo_trainee_credits_records', async () => {
    const demo = demoLogins();
    const { ctx, page } = await newPage({}, 'demo');
    try {
      await login(page, demo.TRAINEE_LOGIN, demo.TRAINEE_PASSWORD);
      await checkPage(page, '/me/credits?year=2024', 'demo trainee', 'me-credits-2024.png');
      const st = (await page.locator('#credits-status').innerText()).trim();
      expect(st === '已达标', `/me/credits?year=2024 #credits-status ${JSON.stringify(st)}, expected 已达标`);
      const tot = (await page.locator('#credits-total').innerText()).trim();
      expect(/\b104\b/.test(tot), `/me/credits?year=2024 #credits-total ${JSON.stringify(tot)} lacks 104`);

      await checkPage(page, '/me/credits?year=2025', 'demo trainee', 'me-credits-2025.png');
      const st25 = (await page.locator('#credits-status').innerText()).trim();
      expect(st25 === '还差 40 学时，其中专业科目还差 20 学时',
        `/me/credits?year=2025 #credits-status ${JSON.stringify(st25)}`);

      await checkPage(page, '/me/records', 'demo trainee', 'me-records.png');
      const api = await page.request.get(url('/api/v1/me/records'));
      expect(api.status() === 200, `GET /api/v1/me/records status ${api.status()}`);
      const recs = (await api.json()).records;
      expect(recs.length > 0, 'the demo trainee has no records');
      const text = await page.locator('main').innerText();
      for (const r of recs.slice(0, 3)) {
        expect(text.includes(r.course_title), `/me/records does not show ${JSON.stringify(r.course_title)}`);
      }
      await checkPage(page, '/courses', 'demo trainee', null);
      await checkPage(page, '/courses/J-PRA-01', 'demo trainee', null);
      await page.goto(url('/me/credits/statement?from=2024&to=2025'));
      await shot(page, 'me-credits-statement.png');
      expect(!page.problems.length, page.problems.join(' | '));
    } finally { await ctx.close(); }
  });
};

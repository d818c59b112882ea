'use strict';
// Browser tests for the goal-progress page (issue 8): /progress on a phone and on a desktop,
// with and without JavaScript and as printed. The chart is an SVG drawn by the server, so it
// must be there, sized to the page, with its goal line, the cumulative line and (with the demo
// holders) the projection. Screenshots: artifacts/progress-*.png. run.js calls this module.

const DESKTOP = {
  viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
};

module.exports = async function progressTests(h) {
  const { run, newPage, url, expect, shot, assertNoHScroll, assertPageBasics } = h;

  async function api(page) {
    const r = await page.request.get(url('/api/v1/progress'));
    expect(r.status() === 200, `GET /api/v1/progress: ${r.status()}`);
    return r.json();
  }

  // What any face of the page must show: the headline equal to the API, the chart drawn.
  async function checkPage(page, what) {
    const res = await page.goto(url('/progress'));
    expect(res.status() === 200, `${what}: GET /progress ${res.status()}`);
    await assertPageBasics(page, what);
    await assertNoHScroll(page, what);
    const p = await api(page);
    const total = (await page.locator('#total').innerText()).trim();
    expect(total === String(p.total), `${what}: headline ${total}, API total ${p.total}`);
    const is = (await page.locator('#certified-is').innerText()).trim();
    expect(is === String(p.certified_intermediate_senior), `${what}: 中级+高级 ${is} vs ${p.certified_intermediate_senior}`);
    const svg = page.locator('svg#progress-chart');
    await svg.waitFor({ state: 'visible', timeout: 10000 });
    const box = await svg.boundingBox();
    const vw = page.viewportSize().width;
    expect(box && box.width > 0.7 * Math.min(vw, 640) && box.width <= vw, `${what}: chart ${JSON.stringify(box)} in a ${vw} px viewport`);
    expect(box.height > 0.5 * box.width * 0.6, `${what}: chart too flat ${JSON.stringify(box)}`);
    const pts = await svg.locator('polyline.line').getAttribute('points');
    const n = pts.trim().split(/\s+/).length;
    expect(n === p.by_month.length + 1, `${what}: ${n} points for ${p.by_month.length} months`);
    expect(await svg.locator('line.goal').count() === 1, `${what}: no goal line`);
    const goalText = await svg.locator('text.goal-label').textContent();
    expect(goalText.includes(String(p.goal)), `${what}: goal label ${goalText}`);
    if (p.projection.pace_per_month !== null) {
      expect(await svg.locator('line.projection').count() === 1, `${what}: no projection line`);
      const pt = await svg.locator('text.projection-label').textContent();
      expect(pt.includes(String(p.projected_on_deadline)), `${what}: projection label ${pt} vs ${p.projected_on_deadline}`);
    }
    // the goal line sits where 3000 is on the axis: above the cumulative line's last point
    const goalY = Number(await svg.locator('line.goal').getAttribute('y1'));
    const nowY = Number(await svg.locator('circle.now').getAttribute('cy'));
    expect(p.total < p.goal ? goalY < nowY : goalY >= nowY, `${what}: goal y ${goalY}, now y ${nowY}`);
    // every chart text is legible: at least 8 CSS px once scaled to the page
    const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('#progress-chart text')]
      .map((t) => t.getBoundingClientRect().height).filter((x) => x > 0)));
    expect(smallest >= 8, `${what}: chart text only ${smallest.toFixed(1)} px high`);
    const rows = await page.locator('#by-month tbody tr').count();
    expect(rows === p.by_month.length, `${what}: ${rows} month rows`);
    expect(await page.locator('#by-base tbody tr').count() === p.by_base.length, `${what}: base rows`);
    expect(await page.locator('#by-region tbody tr').count() === p.by_region.length, `${what}: region rows`);
    expect(page.problems.length === 0, `${what}: ${page.problems.join('; ')}`);
    return p;
  }

  await run('progress_phone', async () => {
    const { ctx, page } = await newPage({}, 'progress-phone');
    try {
      await checkPage(page, '/progress on a phone');
      await shot(page, 'progress-phone.png');
      // what the phone shows first: the headline and the chart, without scrolling far
      await page.locator('svg#progress-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: require('path').join(__dirname, 'artifacts', 'progress-phone-chart.png') });
    } finally { await ctx.close(); }
  });

  await run('progress_desktop', async () => {
    const { ctx, page } = await newPage(DESKTOP, 'progress-desktop');
    try {
      await checkPage(page, '/progress on a desktop');
      await shot(page, 'progress-desktop.png');
    } finally { await ctx.close(); }
  });

  await run('progress_nojs_print', async () => {
    const { ctx, page } = await newPage({ ...DESKTOP, javaScriptEnabled: false }, 'progress-nojs');
    try {
      await checkPage(page, '/progress without JavaScript');
      await page.emulateMedia({ media: 'print' });
      const hidden = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')).display);
      expect(hidden === 'none', `print: site header still shown (${hidden})`);
      const box = await page.locator('svg#progress-chart').boundingBox();
      expect(box && box.width > 300, `print: chart ${JSON.stringify(box)}`);
      await shot(page, 'progress-print.png');
    } finally { await ctx.close(); }
  });
};

// `npm run icon`: draws media/icon.png (the Marketplace icon, 128×128) from the activity bar's
// line icon media/flow-runs.svg: its strokes in white on a rounded square of the galleryBanner
// colour (package.json), rendered by Debian's Chromium through playwright-core (as the tests
// do; FLOW_RUNS_CHROMIUM overrides the path). The PNG is committed; run this after changing
// the SVG or the colours.
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const repo = path.resolve(__dirname, '..');
const SIZE = 128;
// Keep BACKGROUND equal to package.json's galleryBanner.color.
const BACKGROUND = '#1d3557';
const STROKE = '#ffffff';
const ACCENT = '#5eead4';

async function main() {
  const svg = fs.readFileSync(path.join(repo, 'media', 'flow-runs.svg'), 'utf8')
    .replace(/width="24" height="24"/, 'width="88" height="88"')
    .replace(/stroke="currentColor"/, `stroke="${STROKE}"`)
    // The run triangle is the accent: filled, so it still reads at 16 px in a list.
    .replace(/(<path d="M15\.25[^"]*")/, `$1 fill="${ACCENT}" stroke="${ACCENT}"`);
  const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${SIZE}px;height:${SIZE}px;border-radius:24px;background:${BACKGROUND};display:flex;align-items:center;justify-content:center">${svg}</div>
</body></html>`;
  const browser = await chromium.launch({
    executablePath: process.env.FLOW_RUNS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    await page.setContent(html);
    const out = path.join(repo, 'media', 'icon.png');
    // Transparent corners outside the rounded square.
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
    console.log(`${path.relative(repo, out)}: ${fs.statSync(out).size} bytes, ${SIZE}×${SIZE}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});

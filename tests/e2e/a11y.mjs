// Accessibility gate (issue 17 §5): axe-core, injected into the WebKit page,
// checks every screen the visual walk shoots (visual.test.mjs calls `audit`
// for each page and dialog, in the light and the dark theme) against WCAG
// 2.1 A and AA and axe's best practices. Serious and critical violations
// fail the run; all of them are listed in docs/ACCESSIBILITY.md, which
// `writeReport` rewrites after a full walk.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_VERSION = require('axe-core/package.json').version;
const AXE_SOURCE = `${readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')}\n;window.axe = axe;`;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
/** Impacts that fail the gate. */
export const GATED = ['critical', 'serious'];
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];

/** `${theme}` → [{ screen, violations: [{ id, impact, help, targets }] }] */
const audits = new Map();

/** Runs axe on the page as it is now, and keeps what it found under `screen`. */
export async function audit(browser, theme, screen) {
  if (!(await browser.execute(() => typeof window.axe === 'object'))) await browser.execute(AXE_SOURCE);
  const answer = await browser.executeAsync((tags, done) => {
    window.axe
      .run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: tags } })
      .then((r) =>
        done(
          r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.map((n) => n.target.join(' ')),
          })),
        ),
      )
      .catch((e) => done({ error: String(e) }));
  }, TAGS);
  if (!Array.isArray(answer)) throw new Error(`axe-core failed on ${screen} (${theme}): ${answer?.error}`);
  if (!audits.has(theme)) audits.set(theme, []);
  audits.get(theme).push({ screen, violations: answer });
}

/** One line per gated violation of `theme`, for the assertion message. */
export function gateFailures(theme) {
  return (audits.get(theme) ?? []).flatMap(({ screen, violations }) =>
    violations
      .filter((v) => GATED.includes(v.impact))
      .map((v) => `${screen} (${theme}): ${v.impact} ${v.id}: ${v.help} — ${v.targets.slice(0, 3).join(', ')}`),
  );
}

/** How many screens were audited in `theme`. */
export const audited = (theme) => (audits.get(theme) ?? []).length;

/** docs/ACCESSIBILITY.md: every audited screen, both themes, what axe found. */
export function writeReport(file) {
  const count = (violations, impact) => violations.filter((v) => v.impact === impact).length;
  const rows = [];
  for (const [theme, list] of audits) {
    for (const { screen, violations } of list) {
      const rules = violations.map((v) => `\`${v.id}\` (${v.impact})`).join(', ') || '—';
      rows.push(`| ${screen} | ${theme} | ${IMPACTS.map((i) => count(violations, i)).join(' | ')} | ${rules} |`);
    }
  }
  const total = [...audits.values()].reduce((n, list) => n + list.length, 0);
  writeFileSync(
    file,
    `# Accessibility

Written by \`tests/e2e/visual.test.mjs\` (with \`tests/e2e/a11y.mjs\`) in the
real window: axe-core ${AXE_VERSION}, injected into the WebKit page, checks
every page and dialog the visual walk shows, in the light and the dark
theme, against WCAG 2.1 A and AA and axe's best practices (tags
${TAGS.map((t) => `\`${t}\``).join(', ')}). A **critical** or **serious**
violation fails the E2E step of \`scripts/test.sh\`; the others are listed
here to be fixed. Do not edit by hand: the test rewrites this file.

${total} screens audited.

| screen | theme | critical | serious | moderate | minor | rules |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
  );
}

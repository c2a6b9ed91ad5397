// Accessibility audit with axe-core (WCAG 2.0/2.1 A and AA rules), shared by the browser
// tests: a page fails on any "serious" or "critical" violation; moderate and minor ones are
// only reported as diagnostics.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

/**
 * axe-core is injected as a page script and adds styles of its own: pages it audits run
 * without the server's Content Security Policy (every other browser test keeps it).
 */
export const AUDITED = { bypassCSP: true };

/** One line per violation: id, impact, help and the first few target selectors. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const targets = v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ');
      const more = v.nodes.length > 4 ? ` (+${v.nodes.length - 4} more)` : '';
      return `- ${v.id} [${v.impact}] ${v.help}: ${targets}${more}`;
    })
    .join('\n');
}

/**
 * Runs axe on the whole document and fails on serious/critical violations; the others go
 * to the test's diagnostics so they stay visible without blocking.
 */
export async function audit(t, page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const { violations } = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values } }),
    WCAG_TAGS,
  );
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  const other = violations.filter((v) => !BLOCKING.has(v.impact));
  if (other.length) t.diagnostic(`${label}, non-blocking:\n${describeViolations(other)}`);
  assert.equal(blocking.length, 0, `${label}: serious/critical axe violations:\n${describeViolations(blocking)}`);
}

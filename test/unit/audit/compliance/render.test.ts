import { createHash } from 'node:crypto';
import { RENDERERS } from '../../../../src/audit/compliance/formats';
import { esc } from '../../../../src/audit/compliance/render-html';
import { ComplianceTally } from '../../../../src/audit/compliance/tally';
import { ABOUT, audit, CATALOGUE, POLICIES, result } from './fixture';

// Untrusted text everywhere a report shows it: object names, namespaces, messages, paths, fixes.
const XSS = `<img src=x onerror="alert(1)">'</script><script>alert(2)</script>`;

function makeReport() {
  const tally = new ComplianceTally(POLICIES, CATALOGUE);
  tally.add(
    audit('Pod', 'shop', 'web', [
      result('privileged', 'fail', {
        path: 'spec.containers[0].securityContext.privileged',
        fix: 'remove securityContext.privileged',
        message: 'container "app" is privileged',
      }),
      result('non-root', 'pass'),
    ]),
    'k8s/web.yaml:3',
  );
  tally.add(
    audit('Pod', `ns${XSS}`, `name${XSS}\u001b[2J`, [
      result('privileged', 'fail', { message: XSS, path: XSS, fix: XSS }),
    ]),
  );
  tally.add(
    audit('Pod', 'batch', 'ok', [result('privileged', 'pass'), result('non-root', 'pass')]),
  );
  return tally.report(ABOUT);
}

describe('renderHtml', () => {
  const html = RENDERERS.html(makeReport());

  it('escapes every untrusted string: no tag, attribute or script from the data survives', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain(esc(XSS));
    expect(html).toContain(`data-namespace="${esc(`ns${XSS}`)}"`);
    // Exactly one script element: the page's own.
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('is self-contained: no external URL is loaded, and its CSP allows only its own style and script', () => {
    const tags = [...html.matchAll(/<[a-z][a-z0-9]*((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/g)];
    const attributes = new Set(
      tags.flatMap((t) => [...t[1]!.matchAll(/\s([a-z-]+)(?:="[^"]*")?/g)].map((m) => m[1])),
    );
    expect(
      [...attributes].filter((a) => /^(src|href|action|formaction|srcset|on.*)$/.test(a!)),
    ).toEqual([]);
    expect(attributes).toContain('data-namespace');
    expect(html).not.toMatch(/@import|url\(/i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain(`script-src ${hash(script)}`);
  });

  it('shows the summary per framework, then each control with its failing objects', () => {
    const row = /<tr data-framework="pss">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const cells = [...row.matchAll(/<td class="num ([a-z-]+)">(\d+)<\/td>/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(cells).toEqual([
      ['passing', 1],
      ['failing', 1],
      ['error', 0],
      ['no-objects', 0],
      ['not-covered', 1],
      ['controls', 3],
    ]);
    expect(html).toContain(
      '<td class="object">Pod shop/web<br><span class="meta">k8s/web.yaml:3</span></td>',
    );
    expect(html).toContain(
      'container &quot;app&quot; is privileged<br><span class="fix">Fix: remove securityContext.privileged</span>',
    );
    expect(html).toContain(
      '<option value="pss:privileged">privileged - Privileged Containers</option>',
    );
    expect(html).toContain('<option value="batch">batch</option>');
  });
});

describe('renderText', () => {
  it('prints each framework, its controls and the failing objects', () => {
    const text = RENDERERS.text(makeReport());
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Compliance report: 3 objects, 3 checked by 3 enabled policies (0 exempt, 0 not evaluated)',
    );
    expect(lines).toContain(
      'Pod Security Standards test: 1 passing, 1 failing, 0 error, 0 no objects, 1 not covered (of 3)',
    );
    expect(lines).toContain(
      '  FAIL  privileged Privileged Containers  1 pass, 2 fail; privileged (deny)',
    );
    // Control characters from the data cannot drive the terminal.
    expect(text).not.toContain('\u001b[2J');
    expect(text).toContain('</script>\\u001b[2J');
    expect(lines).toContain('      Pod shop/web  k8s/web.yaml:3');
    expect(lines).toContain(
      '        privileged: spec.containers[0].securityContext.privileged: container "app" is privileged',
    );
    expect(lines).toContain('        fix: remove securityContext.privileged');
    expect(lines).toContain('  not covered: hostPorts');
    expect(lines.at(-2)).toBe('2 failing controls; 2 failing objects');
  });

  it('colours with the painter it is given', () => {
    const text = RENDERERS.text(makeReport(), (style, s) => `<${style}>${s}</${style}>`);
    expect(text).toContain('<red>FAIL </red>');
    expect(text).toContain('<red>2 failing controls; 2 failing objects</red>');
  });
});

describe('a control with more failures than --max-failures', () => {
  it('says how many are not listed, in HTML and text', () => {
    const tally = new ComplianceTally(POLICIES, CATALOGUE, 1);
    for (const name of ['a', 'b', 'c']) {
      tally.add(audit('Pod', 'shop', name, [result('privileged', 'fail')]));
    }
    const report = tally.report(ABOUT);
    expect(RENDERERS.html(report)).toContain(
      '<p class="omitted">2 more failing objects not listed (palisade report --max-failures 0 lists them all).</p>',
    );
    expect(RENDERERS.text(report).split('\n')).toContain(
      '      … 2 more failing objects (--max-failures 0 lists all)',
    );
  });
});

describe('json', () => {
  it('is the report as it is', () => {
    const report = makeReport();
    expect(JSON.parse(RENDERERS.json(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});

// The CLI entry in-process: exit codes and where messages go, for the paths that need no bundle.
import { Readable } from 'node:stream';
import { run } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';

async function cli(argv: string[], stdin = '') {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from([stdin]),
    env: {},
  };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('palisade', () => {
  it('prints usage on stderr and exits 2 without a command', async () => {
    const r = await cli([]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain('Usage: palisade <command>');
  });

  it('prints help and the version on stdout', async () => {
    expect(await cli(['--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('eval -f'),
    });
    expect(await cli(['--version'])).toEqual({ code: 0, out: '0.1.0\n', err: '' });
    expect(await cli(['eval', '--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('--fail-on'),
    });
  });

  it.each([
    [['frob'], 'unknown command "frob"'],
    [['eval'], 'eval needs -f'],
    [['eval', '-f', 'x.yaml', '--bogus'], "Unknown option '--bogus'"],
    [['eval', '-f', 'x.yaml', '--fail-on', 'error'], '--fail-on must be one of audit, warn, deny'],
    [['eval', '-f', 'x.yaml', '--action', 'off'], '--action must be one of audit, warn, deny'],
    [
      ['eval', '-f', 'x.yaml', '--operation', 'PATCH'],
      '--operation must be one of CREATE, UPDATE, DELETE, CONNECT',
    ],
    [
      ['eval', '-f', 'x.yaml', '--old', 'o.yaml', '--operation', 'DELETE'],
      '--old describes an UPDATE',
    ],
    [['eval', '-f', '-', '--old', '-'], 'stdin (-) can be read only once'],
    [
      ['eval', '-f', 'x.yaml', '--format', 'json', '--format', 'text'],
      'only one --format may go to stdout',
    ],
    [['explain'], 'explain needs exactly one policy id'],
    [['build', 'no-such-dir'], 'no-such-dir: no such directory'],
  ])('exits 2 on usage error %j', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace without --verbose
  });

  it('reports unreadable and non-Kubernetes input with file and line, and evaluates nothing', async () => {
    const r = await cli(
      ['eval', '-f', 'no-such.yaml', '-f', '-'],
      'kind: Pod\n---\napiVersion: v1\nkind: Pod\n',
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('2 input problems, nothing evaluated:');
    expect(r.err).toContain('<stdin>:1: not a Kubernetes object: apiVersion missing');
    expect(r.err).toContain('no-such.yaml: cannot read: ENOENT');
  });

  it('says so when the input holds no object', async () => {
    const r = await cli(['eval', '-f', '-'], '---\n# nothing rendered\n');
    expect(r).toMatchObject({
      code: 2,
      err: expect.stringContaining('no Kubernetes objects in <stdin>'),
    });
  });

  it('shows the stack trace with --verbose', async () => {
    const r = await cli(['eval', '-f', 'x.yaml', '--fail-on', 'error', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+at /);
  });
});

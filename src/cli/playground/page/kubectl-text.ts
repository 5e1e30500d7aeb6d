// What kubectl prints for one object of `kubectl create|replace|delete -f -` once the webhook has
// answered: the `Warning:` lines (kubectl prints the apiserver's Warning headers as they come),
// then the object's line. The apiserver wraps a webhook's denial as
//   admission webhook "<name>" denied the request: <message>
// (k8s.io/apiserver .../admission/plugin/webhook/errors: ToStatusErr), and kubectl's `-f`
// helpers prefix `error when <verb> "<source>": ` (kubectl/pkg/cmd/create, replace, delete).
import type { ObjectResult } from '../../results';

/** kubectl's source name for `-f -`. */
export const KUBECTL_STDIN = 'STDIN';

const VERB: Record<string, { error: string; done: string; command: string }> = {
  CREATE: { error: 'creating', done: 'created', command: 'create' },
  UPDATE: { error: 'replacing', done: 'replaced', command: 'replace' },
  DELETE: { error: 'deleting', done: 'deleted', command: 'delete' },
  CONNECT: { error: 'connecting', done: 'connected', command: 'exec' },
};

/** The kubectl command whose output kubectlLines shows, for the operation. */
export function kubectlCommand(operation: string): string {
  return `kubectl ${VERB[operation]?.command ?? 'create'} -f -`;
}

/** kubectl's lines for one evaluated object, as `kubectl <verb> -f -` prints them. */
export function kubectlLines(r: ObjectResult, webhook: string): string[] {
  const verb = VERB[r.operation] ?? VERB.CREATE!;
  const lines = r.warnings.map((w) => `Warning: ${w}`);
  if (r.allowed) {
    lines.push(`${resourceName(r)}/${r.name} ${verb.done}`);
    return lines;
  }
  // Failed closed, the webhook answers 500 InternalError; a denial is 403 Forbidden.
  const reason = r.outcome === 'error' ? 'InternalError' : 'Forbidden';
  const why = r.message
    ? `denied the request: ${r.message}`
    : 'denied the request without explanation';
  lines.push(
    `Error from server (${reason}): error when ${verb.error} "${KUBECTL_STDIN}": ` +
      `admission webhook "${webhook}" ${why}`,
  );
  return lines;
}

/** `pod`, `deployment.apps`: the lower-case kind with its group, as kubectl names what it did. */
function resourceName(r: Pick<ObjectResult, 'apiVersion' | 'kind'>): string {
  const slash = r.apiVersion.indexOf('/');
  const group = slash >= 0 ? r.apiVersion.slice(0, slash) : '';
  return group ? `${r.kind.toLowerCase()}.${group}` : r.kind.toLowerCase();
}

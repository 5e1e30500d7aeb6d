// Field paths as policies report them (`spec.containers[0].securityContext.privileged`,
// docs/policy-contract.md), split into keys and indexes so they can be found in the YAML source.

export type PathSegment = string | number;

/**
 * Splits a dotted path with `[index]` and `["key.with.dots"]` parts. Anything it cannot read
 * ends the path there: locating a violation is best-effort, never an error.
 */
export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\['([^']*)'\]|\.?([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) out.push(m[3]);
    else if (m[4] !== undefined) out.push(m[4]);
  }
  return out;
}

// The one namespace / user / name pattern of Palisade's config and of Gatekeeper's constraints.
/**
 * Gatekeeper's wildcard (its util.Wildcard): `kube-*` a prefix, `*-system` a suffix, `*x*` a
 * substring, `*` anything; otherwise the exact value.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const head = pattern.startsWith('*');
  const tail = pattern.length > 1 && pattern.endsWith('*');
  if (head && tail) return value.includes(pattern.slice(1, -1));
  if (head) return value.endsWith(pattern.slice(1));
  if (tail) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

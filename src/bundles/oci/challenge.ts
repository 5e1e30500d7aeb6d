// Parses a WWW-Authenticate header (RFC 7235): the scheme and its auth-params, e.g. a registry's
// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"` or
// `Basic realm="Registry Realm"`. Values are quoted strings (with backslash escapes) or tokens.

export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`, ... */
  readonly scheme: string;
  /** Lowercased parameter names → values. */
  readonly params: Readonly<Record<string, string>>;
}

/** The challenges of a header, in order; a header that does not parse gives none. */
export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < text.length && /[\s,]/.test(text.charAt(i))) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < text.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(text.charAt(i))) i++;
    return text.slice(start, i);
  };
  skip();
  while (i < text.length) {
    const scheme = token();
    if (scheme === '') break;
    const params: Record<string, string> = {};
    for (;;) {
      skip();
      const mark = i;
      const name = token();
      while (text.charAt(i) === ' ') i++;
      if (name === '' || text.charAt(i) !== '=') {
        // Not a parameter: the next challenge's scheme (or token68, ignored).
        i = mark;
        break;
      }
      i++;
      while (text.charAt(i) === ' ') i++;
      let value = '';
      if (text.charAt(i) === '"') {
        i++;
        while (i < text.length && text.charAt(i) !== '"') {
          if (text.charAt(i) === '\\') i++;
          value += text.charAt(i);
          i++;
        }
        i++;
      } else {
        value = token();
      }
      params[name.toLowerCase()] = value;
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
    skip();
  }
  return challenges;
}

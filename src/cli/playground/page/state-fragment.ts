// The page's state in the URL fragment, so a link reproduces it: JSON, deflated
// (CompressionStream, in every current browser and in Node 18+) and base64url-encoded after
// `#s=`. The fragment never reaches a server.
export interface PlaygroundState {
  manifest: string;
  operation: string;
  namespace: string;
  user: string;
  /** The policy being edited ('' for none), its action, parameters (YAML) and Rego. */
  policy: string;
  action: string;
  parameters: string;
  rego: string;
}

const PREFIX = '#s=';

export async function encodeState(state: PlaygroundState): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  const packed = await pipe(bytes, new CompressionStream('deflate-raw'));
  let binary = '';
  for (const b of packed) binary += String.fromCharCode(b);
  return PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The state of a `#s=` fragment; undefined for any other fragment or one that does not decode. */
export async function decodeState(hash: string): Promise<PlaygroundState | undefined> {
  if (!hash.startsWith(PREFIX)) return undefined;
  try {
    const binary = atob(hash.slice(PREFIX.length).replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder().decode(
      await pipe(bytes, new DecompressionStream('deflate-raw')),
    );
    const value = JSON.parse(text) as Record<string, unknown>;
    const str = (k: keyof PlaygroundState) => (typeof value[k] === 'string' ? value[k] : '');
    return {
      manifest: str('manifest'),
      operation: str('operation'),
      namespace: str('namespace'),
      user: str('user'),
      policy: str('policy'),
      action: str('action'),
      parameters: str('parameters'),
      rego: str('rego'),
    };
  } catch {
    return undefined;
  }
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

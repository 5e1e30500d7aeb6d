import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The arrows between Palisade's parts (docs/architecture.md). A file of a part may import its
// own part, the shared files (src/errors.ts, logger.ts, deadline.ts, watch-files.ts), and the
// parts named here; any other part fails lint. src/main.ts wires them all and is not checked.
// test/unit/architecture/arrows.test.ts proves a forbidden import fails.
const ALLOWED = {
  admission: ['policy', 'config'],
  policy: ['config'],
  server: ['admission', 'config'],
  cli: ['admission', 'policy', 'bundles', 'gatekeeper', 'audit', 'config'],
  certs: ['kube', 'config'],
  kube: ['config'],
  config: [],
  // Fetching bundles (oci://, https://), verifying and swapping them in: only main.ts and the
  // CLI import it.
  bundles: ['policy', 'config'],
  // Gatekeeper's ConstraintTemplates, constraints and suites as Palisade policy instances; its
  // controller (CRDs, status) reaches the cluster through Kube.
  gatekeeper: ['policy', 'kube', 'config'],
  // The background audit: evaluates what runs as admission does, writes reports through Kube.
  audit: ['admission', 'policy', 'kube', 'config'],
};
const PARTS = Object.keys(ALLOWED);
/** Libraries that belong to one part: HTTP to the server, the cluster to kube (and certs). */
const LIBRARIES = [
  { names: ['fastify', '@fastify/*'], parts: ['server'], what: 'HTTP (Fastify)' },
  { names: ['@kubernetes/client-node'], parts: ['kube', 'certs'], what: 'the Kubernetes API' },
];

/** The rule for the files of `part` (a folder of src/, or undefined for the shared files). */
function arrows(part) {
  const allowed = part ? ALLOWED[part] : ['config'];
  const forbidden = PARTS.filter((p) => p !== part && !allowed.includes(p));
  const who = part ? `src/${part}` : 'a shared file';
  // From src/<part>/..., another part is `../<part>` (`../../<part>` from a subfolder); from a
  // shared file in src/, `./<part>`.
  const prefix = part ? '(\\.\\./)+' : '\\./';
  return {
    files: part ? [`src/${part}/**/*.ts`] : ['src/*.ts'],
    ignores: part ? [] : ['src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((p) => ({
              regex: `^${prefix}${p}(/|$)`,
              message: `${who} may not import src/${p}: see the arrows in docs/architecture.md.`,
            })),
            ...LIBRARIES.filter((l) => !l.parts.includes(part)).map((l) => ({
              group: l.names,
              message: `${who} may not use ${l.what} (only ${l.parts.map((p) => `src/${p}`).join(', ')}): see docs/architecture.md.`,
            })),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...PARTS.map((part) => arrows(part)),
  arrows(undefined),
);

// Formats a generated file as the repository's prettier would, so `prettier --check .` (npm run
// lint) accepts every generated file as written. Prettier is a devDependency: generating is a
// development task, and the production image (npm ci --omit=dev) must still load the CLI, so it
// is loaded on first use rather than imported at the top.
import { createRequire } from 'node:module';
import type * as Prettier from 'prettier';
import { GenerateError } from './generate-error';

let prettier: typeof Prettier | undefined;

function loadPrettier(): typeof Prettier {
  if (prettier) return prettier;
  try {
    prettier = createRequire(__filename)('prettier') as typeof Prettier;
  } catch (cause) {
    throw new GenerateError(
      'PAL_GEN_TOOL',
      'cannot load prettier (a devDependency): generate runs in a development checkout after npm ci',
      { cause },
    );
  }
  return prettier;
}

/** `text` formatted with the prettier options that apply to `file` (which need not exist). */
export async function formatText(
  text: string,
  file: string,
  parser: 'json' | 'markdown',
): Promise<string> {
  const p = loadPrettier();
  const options = (await p.resolveConfig(file)) ?? {};
  return p.format(text, { ...options, parser });
}

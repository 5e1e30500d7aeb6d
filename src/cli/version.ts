// The package version, for --version and the SARIF tool driver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths';

export const VERSION: string = (
  JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
).version;

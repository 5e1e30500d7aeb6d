// A Gatekeeper object Palisade refuses: the object (kind and name), where it came from, and why,
// naming the field. `reason` tells the cases a caller treats apart (a CEL-only template is
// reported as unsupported, not as broken).
import { PalisadeError } from '../errors';

export type RefusalReason = 'invalid' | 'cel-only';

export class GatekeeperObjectError extends PalisadeError {
  constructor(
    code: 'PAL_ERR_GATEKEEPER_TEMPLATE' | 'PAL_ERR_GATEKEEPER_CONSTRAINT',
    /** The template's name, or the constraint's `Kind/name`. */
    readonly object: string,
    readonly source: string,
    readonly problem: string,
    readonly reason: RefusalReason = 'invalid',
  ) {
    super(code, [object, source, problem]);
    this.name = 'GatekeeperObjectError';
  }
}

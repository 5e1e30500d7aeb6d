// The constraints of every template whose CRD serves: one watch per kind, and on any change
// the whole set, checked against its templates (src/gatekeeper/constraint.ts), handed to the
// runtime as a new snapshot over the same bundle (no compile). A constraint that does not
// check out is left out and says why in its status; the others are enforced.
import type { Logger } from 'pino';
import { describeThrown } from '../../errors';
import type { CustomObject, ObjectWatch } from '../../kube/custom-resources';
import type { EffectivePolicy } from '../../policy/policy-set';
import { parseConstraint, type Constraint } from '../constraint';
import { constraintPolicies } from '../policies';
import type { Template } from '../template';
import type { ControllerDeps } from './controller';
import { constraintRef } from './refs';
import { constraintEntry, writeByPod, type StatusError } from './status';

interface Checked {
  kind: string;
  obj: CustomObject;
  errors: StatusError[];
}

export class ConstraintSync {
  private readonly objects = new Map<string, readonly CustomObject[]>();
  private readonly watches = new Map<string, ObjectWatch>();
  private appliedKey: string | undefined;
  private applied: readonly EffectivePolicy[] | undefined;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {}

  async watch(kind: string): Promise<void> {
    if (this.watches.has(kind)) return;
    let first = true;
    const w = await this.deps.objects.watch(
      constraintRef(kind),
      (items) => {
        this.objects.set(kind, items);
        if (!first) this.onChange();
      },
      (reason) => this.log.warn({ kind, reason }, 'constraints watch failed; retrying'),
    );
    first = false;
    this.watches.set(kind, w);
  }

  async unwatch(kind: string): Promise<void> {
    await this.watches.get(kind)?.stop();
    this.watches.delete(kind);
    this.objects.delete(kind);
  }

  async stop(): Promise<void> {
    for (const kind of [...this.watches.keys()]) await this.unwatch(kind);
  }

  /** Applies the constraints of the `ready` templates (by name) and writes their statuses. */
  async sync(ready: ReadonlyMap<string, Template>): Promise<void> {
    const byKind = new Map([...ready.values()].map((t) => [t.kind, t]));
    const good: Constraint[] = [];
    const checked: Checked[] = [];
    for (const [kind, objs] of this.objects) {
      if (!byKind.has(kind)) continue;
      for (const obj of objs) {
        const name = obj.metadata?.name ?? '';
        try {
          good.push(parseConstraint(obj, byKind, `${kind} ${name}`));
          checked.push({ kind, obj, errors: [] });
        } catch (err) {
          checked.push({
            kind,
            obj,
            errors: [{ code: 'invalid_constraint', message: describeThrown(err) }],
          });
        }
      }
    }
    const refused = await this.apply(good);
    for (const c of checked) {
      if (refused && c.errors.length === 0) c.errors.push(refused);
      await this.writeStatus(c);
    }
  }

  /** Hands the set to the runtime unless it already runs it; the reason if it refused it. */
  private async apply(good: readonly Constraint[]): Promise<StatusError | undefined> {
    const key = JSON.stringify(good.map((c) => [c.id, c.object.spec ?? null]));
    if (key === this.appliedKey && this.deps.runtime.constraints === this.applied) return;
    const ok = await this.deps.runtime.setConstraints(constraintPolicies(good));
    if (!ok) {
      this.appliedKey = undefined;
      return {
        code: 'not_enforced',
        message: `the constraints were refused by pod ${this.deps.podId} (its log says why); the previous set keeps serving`,
      };
    }
    this.appliedKey = key;
    this.applied = this.deps.runtime.constraints;
    this.log.info({ constraints: good.map((c) => c.id) }, 'constraints applied');
    return undefined;
  }

  private async writeStatus(c: Checked): Promise<void> {
    const name = c.obj.metadata?.name ?? '';
    const entry = constraintEntry(this.deps.podId, c.obj.metadata?.generation, c.errors);
    try {
      await writeByPod(this.deps.objects, constraintRef(c.kind), name, entry, {}, c.obj);
    } catch (err) {
      this.log.error(
        { kind: c.kind, constraint: name, reason: describeThrown(err) },
        'cannot write constraint status',
      );
    }
  }
}

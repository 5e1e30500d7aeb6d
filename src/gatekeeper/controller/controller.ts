// Gatekeeper's API in the cluster (gatekeeper.enabled): watches ConstraintTemplates, makes the
// constraint CRD of each one that compiles, watches those constraints, and keeps the
// PolicyRuntime in step: a template change compiles a new bundle (built-ins + templates) and
// swaps it in; a constraint change is a new snapshot over the same bundle, no compile. Every
// replica does all of it on its own and writes only its own status.byPod entries.
//
// Reliability (docs/gatekeeper.md "In the cluster"): a template whose new version does not
// compile keeps its last good version serving (its status shows the error); a build refused
// as a whole keeps the previous bundle serving. Passes run one at a time; events that arrive
// meanwhile are folded into the next pass.
import type { Logger } from 'pino';
import { describeThrown } from '../../errors';
import type { CrdClient } from '../../kube/crds';
import type { CustomObject, CustomObjectClient, ObjectWatch } from '../../kube/custom-resources';
import type { Bundle } from '../../policy/bundle';
import type { EffectivePolicy } from '../../policy/policy-set';
import { parseTemplate, type Template } from '../template';
import type { Compile } from './compile-bundle';
import { ConstraintSync } from './constraint-sync';
import { constraintCrd, constraintCrdName, owned } from './constraint-crd';
import { TEMPLATE_REF } from './refs';
import { templateEntry, writeByPod, type StatusError } from './status';

/** What the controller needs of the PolicyRuntime. */
export interface ControllerRuntime {
  activate(bundle: Bundle): Promise<void>;
  setConstraints(policies: readonly EffectivePolicy[]): Promise<boolean>;
  readonly constraints: readonly EffectivePolicy[];
}

export interface ControllerDeps {
  /** This pod's id in status.byPod (its name). */
  podId: string;
  logger: Logger;
  runtime: ControllerRuntime;
  crds: Pick<CrdClient, 'ensure' | 'delete' | 'established'>;
  objects: CustomObjectClient;
  compile: Compile;
}

interface Compiled {
  /** Content key of each template version in the serving bundle. */
  versions: Map<string, string>;
  /** The last version of each template that compiled. */
  lastGood: Map<string, Template>;
}

export class GatekeeperController {
  private templateObjects: readonly CustomObject[] = [];
  private templateWatch: ObjectWatch | undefined;
  /** Problems of the last compile, per template, while its content is unchanged. */
  private compileProblems = new Map<string, { key: string; errors: StatusError[] }>();
  private readonly compiled: Compiled = { versions: new Map(), lastGood: new Map() };
  /** Templates whose constraint CRD is established, by name. */
  private readonly ready = new Map<string, Template>();
  private readonly constraints: ConstraintSync;
  private dirty = { templates: false, constraints: false };
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: ControllerDeps) {
    this.log = deps.logger.child({ component: 'gatekeeper' });
    this.constraints = new ConstraintSync(deps, this.log, () => this.kick('constraints'));
  }

  /** Starts the watches; resolves after the first full pass (templates compiled, constraints set). */
  async start(): Promise<void> {
    let first = true;
    this.templateWatch = await this.deps.objects.watch(
      TEMPLATE_REF,
      (items) => {
        this.templateObjects = items;
        if (!first) this.kick('templates');
      },
      (reason) => this.log.warn({ reason }, 'constrainttemplates watch failed; retrying'),
    );
    first = false;
    this.kick('templates');
    await this.idle();
  }

  /** Resolves once no pass is running or due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.templateWatch?.stop();
    await this.constraints.stop();
    await this.idle();
  }

  private kick(what: 'templates' | 'constraints'): void {
    this.dirty[what] = true;
    if (this.running || this.stopped) return;
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    while (!this.stopped && (this.dirty.templates || this.dirty.constraints)) {
      try {
        if (this.dirty.templates) {
          this.dirty.templates = false;
          await this.syncTemplates();
        }
        this.dirty.constraints = false;
        await this.constraints.sync(this.ready);
      } catch (err) {
        // A pass that failed (apiserver away) is retried by the next event or relist.
        this.log.error({ reason: describeThrown(err) }, 'gatekeeper sync failed');
      }
    }
  }

  private async syncTemplates(): Promise<void> {
    const parsed = new Map<string, Template>();
    const problems = new Map<string, StatusError[]>();
    for (const obj of this.templateObjects) {
      const name = obj.metadata?.name ?? '';
      try {
        parsed.set(name, parseTemplate(obj, `constrainttemplate ${name}`));
      } catch (err) {
        problems.set(name, [{ code: 'ingest_error', message: describeThrown(err) }]);
        // Its last good version keeps serving until a version that parses replaces it.
        const good = this.compiled.lastGood.get(name);
        if (good) parsed.set(name, good);
      }
    }
    await this.compileIfChanged(parsed);
    for (const [name, p] of this.compileProblems) {
      if (parsed.has(name) && p.key === contentKey(parsed.get(name)!)) {
        problems.set(name, [...(problems.get(name) ?? []), ...p.errors]);
      }
    }
    await this.syncCrds(problems);
    await this.writeTemplateStatuses(problems);
  }

  /**
   * Compiles when a template's content changed: the new versions, and for a template whose new
   * version fails, its last good version in a second build (so a Rego error breaks nothing).
   */
  private async compileIfChanged(parsed: Map<string, Template>): Promise<void> {
    const wanted = new Map([...parsed].map(([n, t]) => [n, contentKey(t)]));
    const known = (n: string, key: string) =>
      this.compileProblems.get(n)?.key === key || this.compiled.versions.get(n) === key;
    const unchanged =
      [...wanted].every(([n, key]) => known(n, key)) &&
      [...this.compiled.versions.keys()].every((n) => wanted.has(n));
    if (unchanged) return;
    try {
      let result = await this.deps.compile([...parsed.values()]);
      const failed = [...result.errors.keys()].filter((n) => this.compiled.lastGood.has(n));
      const problems = new Map(result.errors);
      if (failed.length > 0) {
        const mix = [...parsed.values()].map((t) =>
          failed.includes(t.name) ? this.compiled.lastGood.get(t.name)! : t,
        );
        result = await this.deps.compile(mix);
      }
      await this.swap(result.bundle, result.compiled);
      this.compileProblems = new Map(
        [...problems].map(([n, ps]) => [
          n,
          {
            key: wanted.get(n) ?? '',
            errors: ps.map((p) => ({ code: p.code, message: p.message, location: p.location })),
          },
        ]),
      );
      this.compiled.versions.clear();
      for (const n of result.compiled) {
        const t = failed.includes(n) ? this.compiled.lastGood.get(n)! : parsed.get(n)!;
        this.compiled.versions.set(n, contentKey(t));
        this.compiled.lastGood.set(n, t);
      }
      for (const n of this.compiled.lastGood.keys())
        if (!parsed.has(n)) this.compiled.lastGood.delete(n);
      this.log.info(
        { templates: [...result.compiled].sort(), refused: [...problems.keys()].sort() },
        'templates compiled; bundle swapped',
      );
    } catch (err) {
      const message = describeThrown(err);
      this.log.error(
        { reason: message },
        'template build refused; the previous bundle keeps serving',
      );
      for (const [n, key] of wanted) {
        if (this.compiled.versions.get(n) !== key) {
          this.compileProblems.set(n, { key, errors: [{ code: 'compile_error', message }] });
        }
      }
    }
  }

  /** Drops the constraints of templates the new bundle lacks first, so the swap is accepted. */
  private async swap(bundle: Bundle, compiled: ReadonlySet<string>): Promise<void> {
    const now = this.deps.runtime.constraints;
    const keep = now.filter((p) => p.constraint && compiled.has(p.constraint.template));
    if (keep.length !== now.length) await this.deps.runtime.setConstraints(keep);
    await this.deps.runtime.activate(bundle);
  }

  /** Constraint CRDs: made for templates in the bundle, deleted with their template. */
  private async syncCrds(problems: Map<string, StatusError[]>): Promise<void> {
    const present = new Set(this.templateObjects.map((o) => o.metadata?.name ?? ''));
    for (const [name, t] of [...this.ready]) {
      if (present.has(name)) continue;
      this.ready.delete(name);
      await this.constraints.unwatch(t.kind);
      // Every replica sees the deletion and tries; the first one deletes, the rest find it gone.
      await this.deps.crds.delete(constraintCrdName(t.kind));
      this.log.info(
        { template: name, kind: t.kind },
        'template deleted; its constraint CRD removed',
      );
    }
    for (const name of this.compiled.versions.keys()) {
      const t = this.compiled.lastGood.get(name)!;
      // Made for this very version already: a pass that other pods' status writes set off
      // costs no API call per template.
      if (this.ready.get(name) === t) continue;
      try {
        const result = await this.deps.crds.ensure(constraintCrd(crdInput(t)), owned);
        await this.deps.crds.established(constraintCrdName(t.kind));
        if (result !== 'unchanged')
          this.log.info({ template: name, kind: t.kind, result }, 'constraint CRD');
        const was = this.ready.get(name);
        this.ready.set(name, t);
        if (!was) await this.constraints.watch(t.kind);
      } catch (err) {
        problems.set(name, [
          ...(problems.get(name) ?? []),
          { code: 'create_error', message: describeThrown(err) },
        ]);
      }
    }
  }

  private async writeTemplateStatuses(problems: Map<string, StatusError[]>): Promise<void> {
    for (const obj of this.templateObjects) {
      const name = obj.metadata?.name ?? '';
      const entry = templateEntry(
        this.deps.podId,
        obj.metadata?.generation,
        problems.get(name) ?? [],
      );
      try {
        await writeByPod(
          this.deps.objects,
          TEMPLATE_REF,
          name,
          entry,
          { created: this.ready.has(name) },
          obj,
        );
      } catch (err) {
        this.log.error(
          { template: name, reason: describeThrown(err) },
          'cannot write template status',
        );
      }
    }
  }
}

/** What a compile depends on: the template's kind, code and parameter schema. */
function contentKey(t: Template): string {
  return JSON.stringify([t.kind, t.rego, t.libs, t.parametersSchema ?? null]);
}

function crdInput(t: Template) {
  const spec = (
    t.object.spec as {
      crd?: {
        spec?: { names?: { shortNames?: string[] }; validation?: { legacySchema?: boolean } };
      };
    }
  )?.crd?.spec;
  const legacy = spec?.validation?.legacySchema ?? !t.apiVersion.endsWith('/v1');
  return {
    kind: t.kind,
    shortNames: spec?.names?.shortNames,
    parametersSchema: t.parametersSchema,
    legacySchema: legacy,
  };
}

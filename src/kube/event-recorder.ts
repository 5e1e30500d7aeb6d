// Kubernetes Events (core/v1) about objects, correlated as client-go's EventRecorder does
// (k8s.io/client-go/tools/record/events_cache.go), so that a noisy source cannot flood etcd:
// - a token bucket per source + object (burst 25, one token back every 5 minutes) drops the
//   excess (counted in `dropped`);
// - more than 10 different messages for the same source + object + type + reason within 10
//   minutes become one Event, "(combined from similar events): <latest message>";
// - the same source + object + type + reason + message again increments the existing Event's
//   count and lastTimestamp (a PATCH) instead of creating a new one.
// Writes are queued and made one at a time; a failure is logged, never thrown at the caller.
import type { Logger } from 'pino';
import { API_TIMEOUT_MS, apiReason, apiStatus, loadKubeConfig, withTimeout } from './client';
import type { KubeObject } from './resources';

/** The object an Event is about (its involvedObject). */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

/** A core/v1 Event as written here. */
export interface CoreEvent {
  metadata: { name: string; namespace: string };
  involvedObject: EventTarget;
  type: EventType;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** Where Events go: the apiserver, or a fake in unit tests. */
export interface EventSink {
  create(event: CoreEvent): Promise<void>;
  /** A merge patch of count, lastTimestamp and message; throws with code 404 when it is gone. */
  patch(
    namespace: string,
    name: string,
    patch: Pick<CoreEvent, 'count' | 'lastTimestamp' | 'message'>,
  ): Promise<void>;
}

export interface EventRecorder {
  /** Queues an Event about `target`; never throws. `reason` is CamelCase ("PolicyViolation"). */
  record(target: EventTarget, type: EventType, reason: string, message: string): void;
  /** Resolves when every queued write has been attempted. */
  flush(): Promise<void>;
  /** Events dropped by the rate limit (or a full queue) so far. */
  readonly dropped: number;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent: "palisade-audit". */
  component: string;
  /** reportingInstance and source.host: the pod's name. */
  instance: string;
  logger: Logger;
  now?: () => number;
  /** Defaults are client-go's. */
  burst?: number;
  refillEveryMs?: number;
  maxSimilar?: number;
  similarWindowMs?: number;
  cacheSize?: number;
  maxQueue?: number;
}

/** The EventTarget of an object as the apiserver returned it. */
export function eventTarget(obj: KubeObject): EventTarget {
  const m = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion ?? 'v1',
    kind: obj.kind ?? '',
    name: m.name ?? '',
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}

/** A Map that forgets its oldest entries past `size` (client-go keeps 4096 in an LRU). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Similar {
  messages: Set<string>;
  last: number;
}

interface Logged {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export function createEventRecorder(sink: EventSink, o: EventRecorderOptions): EventRecorder {
  const now = o.now ?? Date.now;
  const burst = o.burst ?? 25;
  const refillEveryMs = o.refillEveryMs ?? 5 * 60_000;
  const maxSimilar = o.maxSimilar ?? 10;
  const similarWindowMs = o.similarWindowMs ?? 10 * 60_000;
  const cacheSize = o.cacheSize ?? 4096;
  const maxQueue = o.maxQueue ?? 1000;
  const buckets = new Lru<Bucket>(cacheSize);
  const similar = new Lru<Similar>(cacheSize);
  const logged = new Lru<Logged>(cacheSize);
  let dropped = 0;
  let queued = 0;
  let tail: Promise<void> = Promise.resolve();
  let serial = 0;

  const objectKey = (t: EventTarget) =>
    JSON.stringify([o.component, t.apiVersion, t.kind, t.namespace ?? '', t.name, t.uid ?? '']);

  const allowed = (key: string, at: number): boolean => {
    const b = buckets.get(key) ?? { tokens: burst, at };
    const refilled = Math.min(burst, b.tokens + (at - b.at) / refillEveryMs);
    const ok = refilled >= 1;
    buckets.set(key, { tokens: ok ? refilled - 1 : refilled, at });
    return ok;
  };

  /** The message and dedup key after aggregation of similar events. */
  const aggregate = (aggregateKey: string, message: string, at: number) => {
    let s = similar.get(aggregateKey);
    if (!s || at - s.last > similarWindowMs) s = { messages: new Set(), last: at };
    s.messages.add(message);
    s.last = at;
    similar.set(aggregateKey, s);
    if (s.messages.size <= maxSimilar) {
      return { key: JSON.stringify([aggregateKey, message]), message };
    }
    return { key: aggregateKey, message: `(combined from similar events): ${message}` };
  };

  const write = async (
    target: EventTarget,
    type: EventType,
    reason: string,
    message: string,
    key: string,
    at: number,
  ) => {
    const stamp = new Date(at).toISOString();
    const seen = logged.get(key);
    if (seen) {
      const count = seen.count + 1;
      try {
        await sink.patch(seen.namespace, seen.name, { count, lastTimestamp: stamp, message });
        logged.set(key, { ...seen, count });
        return;
      } catch (err) {
        if (apiStatus(err) !== 404) throw err;
        // Expired (Events live an hour by default): a new one below.
      }
    }
    const namespace = target.namespace || 'default';
    // client-go names an Event <object>.<unix nanoseconds in hex>.
    const name = `${target.name}.${(BigInt(at) * 1_000_000n + BigInt(serial++ % 1_000_000)).toString(16)}`;
    await sink.create({
      metadata: { name, namespace },
      involvedObject: target,
      type,
      reason,
      message,
      source: { component: o.component, host: o.instance },
      reportingComponent: o.component,
      reportingInstance: o.instance,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
    });
    logged.set(key, { name, namespace, count: 1, firstTimestamp: stamp });
  };

  return {
    get dropped() {
      return dropped;
    },
    record(target, type, reason, message) {
      const at = now();
      const objKey = objectKey(target);
      if (!allowed(objKey, at) || queued >= maxQueue) {
        dropped++;
        o.logger.debug(
          { object: `${target.kind} ${target.namespace ?? ''}/${target.name}`, reason },
          'event dropped by the rate limit',
        );
        return;
      }
      const agg = aggregate(JSON.stringify([objKey, type, reason]), message, at);
      queued++;
      tail = tail.then(async () => {
        try {
          await write(target, type, reason, agg.message, agg.key, at);
        } catch (err) {
          o.logger.warn(
            {
              object: `${target.kind} ${target.namespace ?? ''}/${target.name}`,
              reason,
              err: apiReason(err),
            },
            'cannot write an event',
          );
        } finally {
          queued--;
        }
      });
    },
    flush: () => tail,
  };
}

/** Events through client-node's CoreV1Api. */
export async function eventRecorder(
  o: EventRecorderOptions & { kubeconfig?: string },
): Promise<EventRecorder> {
  const { k8s, kc } = await loadKubeConfig(o.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const sink: EventSink = {
    async create(event) {
      await withTimeout(
        `creating event ${event.metadata.namespace}/${event.metadata.name}`,
        core.createNamespacedEvent({
          namespace: event.metadata.namespace,
          body: {
            ...event,
            firstTimestamp: new Date(event.firstTimestamp),
            lastTimestamp: new Date(event.lastTimestamp),
          },
        }),
        API_TIMEOUT_MS,
      );
    },
    async patch(namespace, name, patch) {
      await withTimeout(
        `updating event ${namespace}/${name}`,
        core.patchNamespacedEvent({ namespace, name, body: patch }, merge),
        API_TIMEOUT_MS,
      );
    },
  };
  return createEventRecorder(sink, o);
}

// Denied admission requests as Kubernetes Events (config events.denials), so `kubectl get
// events -n <namespace>` tells a team why their writes fail. One Warning Event, reason
// "AdmissionDenied", about the request's Namespace (in that namespace); a cluster-scoped object's
// denial goes to "default" about the object itself, as client-go does for cluster-scoped
// objects. The recorder (event-recorder.ts) aggregates repeats of the same denial into one
// Event's count and rate-limits per namespace.
import type { Logger } from 'pino';
import type { Denial } from '../denial';
import { eventRecorder, type EventRecorder, type EventTarget } from './event-recorder';

export const DENIAL_REASON = 'AdmissionDenied';
/** An Event's message is capped by the apiserver (1 KiB is what kubectl shows comfortably). */
const MAX_MESSAGE = 1024;

export interface DenialEvents {
  record(denial: Denial): void;
  flush(): Promise<void>;
}

/** The Event (target and message) of one denial. */
export function denialEvent(d: Denial): { target: EventTarget; message: string } {
  const target: EventTarget = d.namespace
    ? // The apiserver wants involvedObject.namespace to be the Event's namespace.
      { apiVersion: 'v1', kind: 'Namespace', name: d.namespace, namespace: d.namespace }
    : { apiVersion: d.apiVersion, kind: d.kind, name: d.name };
  const what = `${d.operation} ${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name || '(unnamed)'}`;
  const text = `${what} by ${d.user || '(unknown user)'} denied by ${d.policies.join(', ') || '(no policy)'}: ${d.message}`;
  const message = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
  return { target, message };
}

export function denialEventsTo(recorder: EventRecorder): DenialEvents {
  return {
    record(d) {
      const { target, message } = denialEvent(d);
      recorder.record(target, 'Warning', DENIAL_REASON, message);
    },
    flush: () => recorder.flush(),
  };
}

/** Denial Events written to the cluster of `kubeconfig` as component "palisade-webhook". */
export async function denialEvents(o: {
  kubeconfig?: string;
  instance: string;
  logger: Logger;
}): Promise<DenialEvents> {
  const recorder = await eventRecorder({
    kubeconfig: o.kubeconfig,
    component: 'palisade-webhook',
    instance: o.instance,
    logger: o.logger.child({ component: 'denial-events' }),
  });
  return denialEventsTo(recorder);
}

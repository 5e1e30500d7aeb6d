// One named Secret, read and written with optimistic concurrency: every write carries the
// resourceVersion it was based on (or is a create), so two replicas can never silently
// overwrite each other; the loser gets 'conflict', re-reads and adopts the winner's data.
import type { V1Secret } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { CoreV1Api } from './client';
import { apiStatus, withTimeout } from './client';

export interface StoredSecret {
  data: Record<string, string> | undefined;
  /** The object as read, resourceVersion included, for the next replace. */
  object: V1Secret;
}

export type WriteResult = 'written' | 'conflict';

export class SecretStore {
  constructor(
    private readonly core: CoreV1Api,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** The Secret, or undefined when it does not exist. */
  async get(): Promise<StoredSecret | undefined> {
    try {
      const s = await withTimeout(
        `get secret ${this.namespace}/${this.name}`,
        this.core.readNamespacedSecret({ name: this.name, namespace: this.namespace }),
      );
      return { data: s.data, object: s };
    } catch (err) {
      if (apiStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * Writes `data`: a create when `basedOn` is undefined (the Secret did not exist), else a
   * replace of that version. 409 (created meanwhile, or changed meanwhile) is a 'conflict'.
   */
  async write(
    data: Record<string, string>,
    basedOn: StoredSecret | undefined,
    annotations: Record<string, string> = {},
  ): Promise<WriteResult> {
    const metadata = { name: this.name, namespace: this.namespace };
    try {
      if (!basedOn) {
        await withTimeout(
          `create secret ${this.namespace}/${this.name}`,
          this.core.createNamespacedSecret({
            namespace: this.namespace,
            body: { metadata: { ...metadata, annotations }, type: 'Opaque', data },
          }),
        );
      } else {
        // The whole object as read: labels and annotations others set are kept, and its
        // resourceVersion makes the apiserver refuse the write if it changed since.
        await withTimeout(
          `update secret ${this.namespace}/${this.name}`,
          this.core.replaceNamespacedSecret({ ...metadata, body: { ...basedOn.object, data } }),
        );
      }
      return 'written';
    } catch (err) {
      if (apiStatus(err) === 409) return 'conflict';
      throw err;
    }
  }
}

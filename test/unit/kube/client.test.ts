// Without any source of cluster access, Palisade says so before client-node would fall back to
// http://localhost:8080 and fail later with a less helpful message.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../../src/kube/client';

const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

it('refuses to start without a kubeconfig, $KUBECONFIG, ~/.kube/config or a service account', async () => {
  process.env.HOME = mkdtempSync(join(tmpdir(), 'palisade-home-'));
  delete process.env.KUBECONFIG;
  await expect(loadKubeConfig()).rejects.toMatchObject({ code: 'PAL_ERR_KUBE_CONFIG' });
});

// Starts the Gatekeeper mode (main.ts, when config.gatekeeper.enabled): refuses when Gatekeeper
// itself is installed, or when the ConstraintTemplate CRD is missing, or with a bundle from
// outside the image (the templates are compiled with the built-in policies' sources); then
// runs the controller until stop().
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema';
import { PalisadeError } from '../../errors';
import { crdClient } from '../../kube/crds';
import { customObjectClient } from '../../kube/custom-resources';
import { listValidatingWebhookConfigurations } from '../../kube/webhook-configurations';
import { builtinPoliciesDir } from '../../policy/build/build-bundle';
import { Opa } from '../../policy/build/opa';
import { bundleCompiler } from './compile-bundle';
import { gatekeeperConflict } from './conflict';
import { GatekeeperController, type ControllerRuntime } from './controller';
import { TEMPLATE_CRD_NAME } from './refs';

/** How long start waits for the ConstraintTemplate CRD to be there and serving. */
const TEMPLATE_CRD_WAIT_MS = 10_000;

export interface GatekeeperMode {
  controller: GatekeeperController;
  stop(): Promise<void>;
}

export async function startGatekeeper(
  config: Config,
  runtime: ControllerRuntime,
  logger: Logger,
): Promise<GatekeeperMode> {
  const g = config.gatekeeper;
  const kubeconfig = config.kubernetes.kubeconfig;
  if (/^(oci|https):\/\//.test(config.bundle.source)) {
    throw new PalisadeError('PAL_ERR_GATEKEEPER_START', [
      `bundle.source ${config.bundle.source} is a remote bundle; ConstraintTemplates are compiled with the built-in policies, so use the bundle built into the image`,
    ]);
  }
  const conflict = gatekeeperConflict(await listValidatingWebhookConfigurations(kubeconfig));
  if (conflict) throw new PalisadeError('PAL_ERR_GATEKEEPER_START', [conflict]);
  const crds = await crdClient(kubeconfig);
  try {
    await crds.established(TEMPLATE_CRD_NAME, TEMPLATE_CRD_WAIT_MS);
  } catch (err) {
    throw new PalisadeError('PAL_ERR_GATEKEEPER_START', [
      `the ConstraintTemplate CRD ${TEMPLATE_CRD_NAME} does not serve (the chart installs it with gatekeeper.enabled): ${(err as Error).message}`,
    ]);
  }
  const controller = new GatekeeperController({
    podId: g.podName ?? hostname(),
    logger,
    runtime,
    crds,
    objects: await customObjectClient(logger, kubeconfig),
    compile: bundleCompiler(new Opa(g.opaPath), builtinPoliciesDir()),
  });
  await controller.start();
  return { controller, stop: () => controller.stop() };
}

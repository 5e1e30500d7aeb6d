// Where Gatekeeper's objects are served: the API paths the controller lists, watches and
// writes statuses through.
import type { ResourceRef } from '../../kube/custom-resources';
import { CONSTRAINT_GROUP } from '../constraint';
import { TEMPLATE_GROUP } from '../template';
import { constraintPlural, CONSTRAINT_VERSION } from './constraint-crd';

export const TEMPLATE_CRD_NAME = `constrainttemplates.${TEMPLATE_GROUP}`;
export const TEMPLATE_REF: ResourceRef = {
  group: TEMPLATE_GROUP,
  version: 'v1',
  plural: 'constrainttemplates',
};

export const constraintRef = (kind: string): ResourceRef => ({
  group: CONSTRAINT_GROUP,
  version: CONSTRAINT_VERSION,
  plural: constraintPlural(kind),
});

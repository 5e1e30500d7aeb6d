// The data document an evaluation reads: the bundle's data.json with `data.inventory` set in it,
// the objects of the cluster that referential policies (Gatekeeper's templates) look up. opa-wasm's
// setData replaces the whole document, so the inventory is merged into the bundle's data here,
// once per change of the inventory, never per request.
import { describeThrown, PalisadeError } from '../errors';

/** The key of data the inventory lives under (Gatekeeper's layout, docs/gatekeeper.md). */
export const INVENTORY_KEY = 'inventory';

/**
 * data.json with `inventory` replaced by `inventoryJson` (serialized JSON): the bytes setData
 * takes. The bundle's own data is parsed once per bundle (kept by its buffer's identity).
 */
export function withInventory(
  bundleData: ArrayBuffer | undefined,
  inventoryJson: string,
): ArrayBuffer {
  const rest = bundleRest(bundleData);
  const text = `{${JSON.stringify(INVENTORY_KEY)}:${inventoryJson}${rest ? `,${rest}` : ''}}`;
  return encoder.encode(text).buffer as ArrayBuffer;
}
const encoder = new TextEncoder();

/** The members of data.json other than inventory, serialized, without the braces ('' if none). */
function bundleRest(data: ArrayBuffer | undefined): string {
  if (!data) return '';
  let rest = restOf.get(data);
  if (rest === undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(data));
    } catch (thrown) {
      throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
        'data.json',
        `not JSON: ${describeThrown(thrown)}`,
      ]);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', ['data.json', 'not a JSON object']);
    }
    const own = { ...(doc as Record<string, unknown>) };
    delete own[INVENTORY_KEY];
    rest = JSON.stringify(own).slice(1, -1);
    restOf.set(data, rest);
  }
  return rest;
}
const restOf = new WeakMap<ArrayBuffer, string>();

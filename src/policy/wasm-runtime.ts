// A compiled policy module instantiated with Palisade's own host builtins.
//
// We instantiate the module ourselves and hand the instance to the SDK's LoadedPolicy (which does
// the evaluation ABI), instead of calling the SDK's loadPolicy, because:
// - the SDK resolves its own JS builtins before custom ones, and its `sprintf` is not compatible
//   with OPA's Go output (see ../shared/NOTES.md); here only our builtins exist;
// - the SDK hands custom builtins JSON-decoded arguments, where a Rego set has become an array;
//   OPA's sprintf prints sets as `{"a", "b"}`, so sprintf needs the Rego value (opa_value_dump).
// The set of builtins a policy may call is fixed at build time by policies/capabilities.json.
import { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { describeThrown, PalisadeError } from '../errors';
import { hostBuiltins } from './builtins';
import { regoValueText } from './builtins/cast';
import { parseRegoValue, type RegoValue } from './builtins/rego-value';
import { opaImports, readCString, readJson, writeJson, type OpaJsonExports } from './wasm-memory';

const PAGE = 64 * 1024;

export interface WasmLimits {
  /** Hard cap on the module's linear memory; evaluation beyond it fails with PAL_ERR_WASM_MEMORY. */
  maxMemoryBytes: number;
}

interface OpaExports extends OpaJsonExports {
  opa_value_dump(addr: number): number;
  opa_value_parse(addr: number, len: number): number;
  builtins(): number;
}

export class WasmPolicy {
  private readonly policy: LoadedPolicy;
  private readonly memory: WebAssembly.Memory;
  private readonly entrypoint: number;

  private constructor(policy: LoadedPolicy, memory: WebAssembly.Memory, entrypoint: number) {
    this.policy = policy;
    this.memory = memory;
    this.entrypoint = entrypoint;
  }

  /** Instantiates `module` synchronously (~0.3 ms); throws if the entrypoint is missing. */
  static instantiate(
    module: WebAssembly.Module,
    entrypointName: string,
    limits: WasmLimits,
    data?: ArrayBuffer,
  ): WasmPolicy {
    const maximum = Math.max(2, Math.floor(limits.maxMemoryBytes / PAGE));
    const memory = new WebAssembly.Memory({ initial: Math.min(5, maximum), maximum });
    const host = new HostCalls(memory);
    const instance = new WebAssembly.Instance(module, host.imports());
    host.bind(instance);
    const minor = (instance.exports.opa_wasm_abi_minor_version as WebAssembly.Global).value;
    // LoadedPolicy accepts an Instance as well as an instantiated source (it unwraps `.instance`).
    const policy = new LoadedPolicy(
      instance as unknown as WebAssembly.WebAssemblyInstantiatedSource,
      memory,
      minor,
    );
    const id = (policy.entrypoints as Record<string, number>)[entrypointName];
    if (id === undefined) throw new Error(`entrypoint ${entrypointName} not found in policy.wasm`);
    if (data) policy.setData(data);
    return new WasmPolicy(policy, memory, id);
  }

  /** Evaluates with input given as serialized JSON; returns the entrypoint's value or undefined. */
  evaluate(input: ArrayBuffer): unknown {
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(input, this.entrypoint);
    } catch (thrown) {
      if (thrown instanceof PalisadeError) throw thrown;
      const reason = describeThrown(thrown);
      const memory = thrown instanceof RangeError || /opa_malloc|memory/i.test(reason);
      throw new PalisadeError(memory ? 'PAL_ERR_WASM_MEMORY' : 'PAL_ERR_WASM_EVAL', [reason], {
        cause: thrown,
      });
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
    return (resultSet[0] as { result: unknown }).result;
  }

  /**
   * Replaces the data document (serialized JSON: data.json with data.inventory). Past the memory
   * cap it throws PAL_ERR_WASM_MEMORY and the instance must not be used again.
   */
  setData(data: ArrayBuffer): void {
    try {
      this.policy.setData(data);
    } catch (thrown) {
      const reason = describeThrown(thrown);
      const memory = thrown instanceof RangeError || /opa_malloc|memory/i.test(reason);
      throw new PalisadeError(memory ? 'PAL_ERR_WASM_MEMORY' : 'PAL_ERR_WASM_EVAL', [reason], {
        cause: thrown,
      });
    }
  }

  /** Current size of the linear memory, for metrics and tests of the cap. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

/** The module's imports: memory, abort, print, and dispatch of builtins to the host. */
class HostCalls {
  private exports?: OpaExports;
  private names: Record<number, string> = {};

  constructor(private readonly memory: WebAssembly.Memory) {}

  bind(instance: WebAssembly.Instance): void {
    this.exports = instance.exports as unknown as OpaExports;
    const ids = readJson(this.exports, this.memory, this.exports.builtins());
    for (const [name, id] of Object.entries(ids as Record<string, number>)) this.names[id] = name;
    const missing = Object.values(this.names).filter((n) => !(n in hostBuiltins));
    if (missing.length > 0) {
      throw new Error(
        `policy.wasm needs builtins the host does not provide: ${missing.join(', ')}`,
      );
    }
  }

  imports(): WebAssembly.Imports {
    return opaImports(
      this.memory,
      (id, args) => this.call(id, args),
      (message) => {
        throw new PalisadeError('PAL_ERR_WASM_EVAL', [`abort: ${message}`]);
      },
    );
  }

  private call(id: number, argAddrs: number[]): number {
    const ex = this.exports!;
    const name = this.names[id] ?? `#${id}`;
    const builtin = hostBuiltins[name];
    if (!builtin) throw new PalisadeError('PAL_ERR_BUILTIN', [name, 'not provided by the host']);
    const args = argAddrs.map((addr) =>
      builtin.rawArgs
        ? parseRegoValue(readCString(this.memory, ex.opa_value_dump(addr)))
        : readJson(ex, this.memory, addr),
    );
    let result: unknown;
    try {
      result = (builtin.fn as (...a: unknown[]) => unknown)(...args);
    } catch {
      // OPA (non-strict) makes an expression whose builtin errors undefined; wasm can express
      // that only by a null result address, which the compiled policy treats as undefined.
      return 0;
    }
    if (result === undefined) return 0;
    if (builtin.rawResult) return writeValue(ex, this.memory, regoValueText(result as RegoValue));
    return writeJson(ex, this.memory, result);
  }
}

const encoder = new TextEncoder();

/** A value in Rego value syntax (sets too) written into the module; returns its address. */
function writeValue(ex: OpaExports, memory: WebAssembly.Memory, text: string): number {
  const bytes = encoder.encode(text);
  const addr = ex.opa_malloc(bytes.byteLength);
  new Uint8Array(memory.buffer).set(bytes, addr);
  return ex.opa_value_parse(addr, bytes.byteLength);
}

// A bare OPA wasm host for tests: instantiates policy.wasm with our own imports, so a builtin call
// hands the test the argument addresses, and the test answers through opa_json_parse exactly as
// the production runtime does. Only what the tests need: evaluate one entrypoint, no input or data.
import {
  opaImports,
  readCString,
  readJson,
  writeJson,
  type OpaJsonExports,
} from '../../../../src/policy/wasm-memory';

/** Answers one builtin call; `dump(addr)` is the module's own opa_value_dump text. */
export type BuiltinHandler = (
  name: string,
  args: number[],
  dump: (addr: number) => string,
) => unknown;

interface OpaExports extends OpaJsonExports {
  builtins(): number;
  entrypoints(): number;
  opa_value_dump(addr: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, addr: number): void;
  opa_eval_ctx_set_data(ctx: number, addr: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, id: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  eval(ctx: number): number;
}

export class WasmPolicy {
  private ex!: OpaExports;
  private names: Record<number, string> = {};
  entrypoints: Record<string, number> = {};
  private heapBase = 0;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly handler: BuiltinHandler,
  ) {}

  static async load(wasm: Buffer, handler: BuiltinHandler): Promise<WasmPolicy> {
    const policy = new WasmPolicy(new WebAssembly.Memory({ initial: 5 }), handler);
    const imports = opaImports(
      policy.memory,
      (id, args) => policy.call(id, args),
      (message) => {
        throw new Error(`opa_abort: ${message}`);
      },
    );
    const instance = await WebAssembly.instantiate(
      await WebAssembly.compile(new Uint8Array(wasm)),
      imports,
    );
    policy.ex = instance.exports as unknown as OpaExports;
    const ids = policy.dumpJson(policy.ex.builtins()) as Record<string, number>;
    policy.names = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
    policy.entrypoints = policy.dumpJson(policy.ex.entrypoints()) as Record<string, number>;
    policy.heapBase = policy.ex.opa_heap_ptr_get();
    return policy;
  }

  /** Evaluates one entrypoint with empty input and data; returns its result set. */
  evaluate(entrypoint: string): unknown {
    const id = this.entrypoints[entrypoint];
    if (id === undefined) throw new Error(`no entrypoint ${entrypoint}`);
    this.ex.opa_heap_ptr_set(this.heapBase);
    const ctx = this.ex.opa_eval_ctx_new();
    this.ex.opa_eval_ctx_set_input(ctx, this.parseJson({}));
    this.ex.opa_eval_ctx_set_data(ctx, this.parseJson({}));
    this.ex.opa_eval_ctx_set_entrypoint(ctx, id);
    this.ex.eval(ctx);
    return this.dumpJson(this.ex.opa_eval_ctx_get_result(ctx));
  }

  private call(id: number, args: number[]): number {
    const dump = (addr: number): string => readCString(this.memory, this.ex.opa_value_dump(addr));
    const result = this.handler(this.names[id] ?? `#${id}`, args, dump);
    return result === undefined ? 0 : this.parseJson(result);
  }

  private parseJson(value: unknown): number {
    return writeJson(this.ex, this.memory, value);
  }

  private dumpJson(addr: number): unknown {
    return readJson(this.ex, this.memory, addr);
  }
}

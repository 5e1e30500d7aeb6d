// The host side of an OPA wasm module: its import object, and values across its linear memory
// (NUL-terminated strings out, JSON in and out through the module's own opa_json_parse /
// opa_json_dump). Shared by the runtime's host builtins and the tests' bare wasm host.

export interface OpaJsonExports {
  opa_malloc(size: number): number;
  opa_json_parse(addr: number, len: number): number;
  opa_json_dump(addr: number): number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The NUL-terminated UTF-8 string at `addr`. */
export function readCString(memory: WebAssembly.Memory, addr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return decoder.decode(bytes.subarray(addr, end));
}

/** `value` as a Rego value inside the module; returns its address. */
export function writeJson(ex: OpaJsonExports, memory: WebAssembly.Memory, value: unknown): number {
  const bytes = encoder.encode(JSON.stringify(value));
  const addr = ex.opa_malloc(bytes.byteLength);
  new Uint8Array(memory.buffer).set(bytes, addr);
  return ex.opa_json_parse(addr, bytes.byteLength);
}

/** The Rego value at `addr`, as JSON. */
export function readJson(ex: OpaJsonExports, memory: WebAssembly.Memory, addr: number): unknown {
  return JSON.parse(readCString(memory, ex.opa_json_dump(addr)));
}

/**
 * The `env` imports a compiled policy needs: its memory, abort (with the module's message),
 * print compiled out, and every builtin arity routed to `call(builtinId, argAddresses)`.
 */
export function opaImports(
  memory: WebAssembly.Memory,
  call: (id: number, args: number[]) => number,
  abort: (message: string) => never,
): WebAssembly.Imports {
  const builtin = (id: number, _ctx: number, ...args: number[]) => call(id, args);
  return {
    env: {
      memory,
      opa_abort: (addr: number) => abort(readCString(memory, addr)),
      // print() is compiled out unless --wasm-include-print; keep stdout clean regardless.
      opa_println: () => undefined,
      opa_builtin0: builtin,
      opa_builtin1: builtin,
      opa_builtin2: builtin,
      opa_builtin3: builtin,
      opa_builtin4: builtin,
    },
  };
}

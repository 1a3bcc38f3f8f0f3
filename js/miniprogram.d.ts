/**
 * The WeChat mini-program entry (pkg/miniprogram/index.js): the API of
 * index.d.ts, with an `init` that takes the path of the wasm inside the
 * code package instead of a source.
 *
 *   const ma = require("member-analytics");   // after "Tools → Build npm"
 *   await ma.init();                           // or ma.init("/your/path/member_analytics_bg.wasm.br")
 *   const ws = new ma.Workspace();
 */
export * from "./index";

/** Where WeChat's "Build npm" puts the wasm by default. */
export const DEFAULT_WASM_PATH: "/miniprogram_npm/member-analytics/member_analytics_bg.wasm.br";

/**
 * Instantiate the module with `WXWebAssembly.instantiate(path, imports)`.
 * `path` is absolute inside the code package (`.wasm` or `.wasm.br`); it
 * defaults to DEFAULT_WASM_PATH: pass your own when npm is built elsewhere or
 * the file is copied into a subpackage. Idempotent: later calls return the
 * first call's promise; a failed call may be retried.
 */
export function init(path?: string): Promise<void>;
export default init;

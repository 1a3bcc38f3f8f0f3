/**
 * The WeChat mini-program entry (pkg/miniprogram/index.js): the API of
 * index.d.ts from a smaller build (README "Builds and sizes"), with an `init`
 * that takes the path of the wasm inside the code package instead of a source.
 *
 * The mini-program build has no `loadDemo`, `predict` or `Workspace.demoFiles`,
 * and no campaign planning (`planCampaign`, `exportCampaign`, `campaignUplift`:
 * back-office work over the whole membership, done in the dashboard); they are
 * absent, not stubs. It reads no Excel workbooks: an `.xlsx` is an
 * `UNSUPPORTED_FORMAT` error, so pass CSV/TSV (GBK, UTF-8 and UTF-16 all work).
 *
 *   const ma = require("member-analytics");   // after "Tools → Build npm"
 *   await ma.init();                           // or ma.init("/your/path/member_analytics_bg.wasm.br")
 *   const ws = new ma.Workspace();
 */
import type { Workspace as FullWorkspace } from "./index";

export * from "./index";

/** The methods of the full build that the mini-program build leaves out. */
export type AbsentMethods = "loadDemo" | "predict" | "planCampaign" | "exportCampaign" | "campaignUplift";

/** A `Workspace` of the mini-program build. */
export type Workspace = Omit<FullWorkspace, AbsentMethods>;
export declare const Workspace: Omit<typeof FullWorkspace, "prototype" | "demoFiles"> & {
  new (): Workspace;
};

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

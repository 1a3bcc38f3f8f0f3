// WeChat mini-program entry (bundled by esbuild into pkg/miniprogram/index.js,
// CommonJS, ES2017). Mini-programs have no fetch, URL, TextDecoder or
// WebAssembly: the module is instantiated with `WXWebAssembly.instantiate`,
// which only takes a path inside the code package. js/polyfill.js supplies
// UTF-8 TextEncoder/TextDecoder where the platform lacks them (esbuild injects
// it ahead of the glue, which builds a TextDecoder when it loads).
//
//   const ma = require("member-analytics");   // after "Tools → Build npm"
//   await ma.init();                           // or ma.init("/your/path/member_analytics_bg.wasm.br")
//   const ws = new ma.Workspace();
import * as glue from "../member_analytics_bg.js";

export { Workspace } from "../member_analytics_bg.js";

/**
 * Where WeChat's "Build npm" puts the package by default. If your project
 * builds npm elsewhere (project.config.json `packNpmRelationList`), or you
 * copy the file somewhere else (e.g. into a subpackage), pass that path.
 */
export const DEFAULT_WASM_PATH = "/miniprogram_npm/member-analytics/member_analytics_bg.wasm.br";

let started = null;

/**
 * Instantiate the module once; later calls return the first call's promise.
 * @param {string} [path] absolute path of member_analytics_bg.wasm.br (or .wasm) inside the code package
 * @returns {Promise<void>}
 */
export function init(path) {
    if (started) return started;
    started = instantiate(path === undefined ? DEFAULT_WASM_PATH : path).catch((err) => {
        started = null;
        throw err;
    });
    return started;
}

async function instantiate(path) {
    if (typeof WXWebAssembly === "undefined") {
        throw codedError("BAD_OPTIONS", "WXWebAssembly is not available: this entry is for WeChat mini-programs");
    }
    if (typeof path !== "string" || path === "") {
        throw codedError("BAD_OPTIONS", "init(path): path must be the wasm file's path inside the code package");
    }
    const result = await WXWebAssembly.instantiate(path, { "./member_analytics_bg.js": glue });
    const instance = result && result.instance ? result.instance : result;
    glue.__wbg_set_wasm(instance.exports);
    if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();
}

function codedError(code, message) {
    const err = new Error(message);
    err.code = code;
    return err;
}

export default init;

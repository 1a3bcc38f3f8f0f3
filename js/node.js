// Node entry of the package (bundled by esbuild into pkg/node/index.cjs):
// reads the wasm that sits next to the package with fs and instantiates it
// synchronously, so `require("member-analytics").Workspace` is ready at once.
//
//   const { Workspace } = require("member-analytics");
//   const ws = new Workspace();
//
// This file is written as if it sat at pkg/node/index.js; the glue is one
// level up, and so is the wasm.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as glue from "../member_analytics_bg.js";

export { Workspace } from "../member_analytics_bg.js";

const bytes = readFileSync(join(__dirname, "..", "member_analytics_bg.wasm"));
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    "./member_analytics_bg.js": glue,
});
glue.__wbg_set_wasm(instance.exports);
if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();

/** Already initialised; kept so code written for the web entry runs unchanged. */
export function init() {
    return Promise.resolve();
}
export default init;

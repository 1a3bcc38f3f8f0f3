// Web entry of the package (pkg/web/index.js): an explicit, idempotent
// `init(source)` and no hidden fetch (STYLE 10). The caller says where the
// wasm comes from — bytes, a Response, a compiled WebAssembly.Module, or a
// URL, and only a URL is fetched — so a page, a Worker and a bundler load the
// same build their own way.
//
//   import init, { Workspace } from "member-analytics";
//   await init("/pkg/member_analytics_bg.wasm");      // or bytes, a Response, a Module
//   const ws = new Workspace();
//
// This file sits at pkg/web/index.js; the wasm-bindgen glue is one level up.
import * as glue from "../member_analytics_bg.js";

export { Workspace } from "../member_analytics_bg.js";

const IMPORT_MODULE = "./member_analytics_bg.js";

let started = null;

/**
 * Instantiate the module once. Later calls return the first call's promise
 * (whatever source they pass); a failed first call may be retried.
 * @param {BufferSource | Response | WebAssembly.Module | URL | string} source
 * @returns {Promise<void>}
 */
export default function init(source) {
    if (started) return started;
    if (source === undefined || source === null) {
        return Promise.reject(
            codedError(
                "BAD_OPTIONS",
                "init(source) needs the wasm: bytes, a Response, a WebAssembly.Module or a URL " +
                    "(nothing is fetched unless you pass a URL)",
            ),
        );
    }
    started = instantiate(source).catch((err) => {
        started = null;
        throw err;
    });
    return started;
}

async function instantiate(source) {
    const imports = { [IMPORT_MODULE]: glue };
    let instance;
    if (source instanceof WebAssembly.Module) {
        instance = await WebAssembly.instantiate(source, imports);
    } else {
        const bytes = await toBytes(source);
        instance = (await WebAssembly.instantiate(bytes, imports)).instance;
    }
    glue.__wbg_set_wasm(instance.exports);
    if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();
}

async function toBytes(source) {
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
    if (typeof SharedArrayBuffer !== "undefined" && source instanceof SharedArrayBuffer) return source;
    let response = source;
    if (typeof source === "string" || (typeof URL !== "undefined" && source instanceof URL)) {
        response = await fetch(source);
    }
    if (typeof Response !== "undefined" && response instanceof Response) {
        if (!response.ok) {
            throw codedError("BAD_OPTIONS", `init: fetching the wasm failed: ${response.status} ${response.url}`);
        }
        return response.arrayBuffer();
    }
    throw codedError(
        "BAD_OPTIONS",
        `init(source): expected bytes, a Response, a WebAssembly.Module or a URL, got ${describe(source)}`,
    );
}

function describe(value) {
    if (value === null) return "null";
    if (typeof value === "object") return value.constructor ? value.constructor.name : "object";
    return typeof value;
}

function codedError(code, message) {
    const err = new Error(message);
    err.code = code;
    return err;
}

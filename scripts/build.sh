#!/usr/bin/env bash
# Build the JS package into pkg/ (and copy what the dashboard needs into www/).
#
#   cargo (wasm32, no reference-types/multivalue) → wasm-opt (strip features)
#   → wasm-bindgen --target bundler → wasm-opt (lower to MVP, -O3)
#   → pkg/{member_analytics_bg.wasm, member_analytics_bg.js, index.d.ts, package.json,
#          web/index.js, node/index.cjs, node/index.mjs,
#          miniprogram/index.js, miniprogram/member_analytics_bg.wasm.br}
#
# One module serves every entry, and it is MVP-only (no post-MVP features),
# because iOS mini-programs reject anything else (TOOLCHAIN.md "WeChat
# mini-programs"); browsers and Node run it as well.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'build: %s\n' "$*"; }
die() { printf 'build: error: %s\n' "$*" >&2; exit 1; }

WASM_OPT=node_modules/.bin/wasm-opt
ESBUILD=node_modules/.bin/esbuild
[[ -x $WASM_OPT && -x $ESBUILD ]] || die "node_modules is missing; run scripts/install.sh (make install)"
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found; run scripts/install.sh (make install)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1. Rust → wasm ------------------------------------------------------------
# Turn off the two post-MVP features rustc enables by default that iOS rejects.
# (The prebuilt std still carries bulk-memory, sign-ext and non-trapping
# float-to-int; step 4 lowers those.)
say "cargo build (wasm32-unknown-unknown, release)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-reference-types,-multivalue" \
    cargo build --release --target wasm32-unknown-unknown --lib
raw=target/wasm32-unknown-unknown/release/member_analytics.wasm

# What rustc and the prebuilt std emit; named one by one, because binaryen
# must not be given --all-features before wasm-bindgen runs (TOOLCHAIN.md).
FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
          --enable-sign-ext --enable-mutable-globals --enable-call-indirect-overlong)

# --- 2. Strip the target_features section, which still lists reference-types
# --- (from std) and would make wasm-bindgen emit externref code ---------------
mkdir -p "$tmp/in" "$tmp/bindgen"
"$WASM_OPT" "$raw" "${FEATURES[@]}" --strip-target-features -o "$tmp/in/member_analytics.wasm"

# --- 3. wasm-bindgen: bundler glue (no fetch, no import.meta) -------------------
say "wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2) --target bundler"
wasm-bindgen --target bundler --no-typescript --out-dir "$tmp/bindgen" "$tmp/in/member_analytics.wasm"

# --- 4. wasm-opt: lower the remaining post-MVP instructions, then optimize with
# --- MVP features only, so that -O3 cannot bring them back ---------------------
"$WASM_OPT" "$tmp/bindgen/member_analytics_bg.wasm" "${FEATURES[@]}" \
    --signext-lowering --llvm-memory-copy-fill-lowering --llvm-nontrapping-fptoint-lowering \
    -o "$tmp/lowered.wasm"
stage="$tmp/pkg"
mkdir -p "$stage/web" "$stage/node" "$stage/miniprogram"
say "wasm-opt -O3 (MVP features only)"
"$WASM_OPT" "$tmp/lowered.wasm" --mvp-features -O3 \
    --strip-debug --strip-producers --strip-target-features \
    -o "$stage/member_analytics_bg.wasm"
if command -v wasm-validate >/dev/null; then
    wasm-validate --disable-mutable-globals --disable-saturating-float-to-int --disable-sign-extension \
        --disable-simd --disable-multi-value --disable-bulk-memory --disable-reference-types \
        "$stage/member_analytics_bg.wasm" || die "the module uses post-MVP features (iOS mini-programs reject it)"
else
    say "skip: wasm-validate (wabt) not installed, MVP check not run"
fi
cp "$tmp/bindgen/member_analytics_bg.js" "$stage/"

# --- 5. The JS entries ---------------------------------------------------------
# Every entry in js/ is written as if it sat at pkg/<entry>/index.js, the glue
# one level up; bundling happens from a copy laid out that way.
src="$tmp/src"
mkdir -p "$src/node" "$src/miniprogram"
cp "$tmp/bindgen/member_analytics_bg.js" "$src/"
cp js/node.js "$src/node/index.js"
cp js/miniprogram.js "$src/miniprogram/index.js"
cp js/polyfill.js "$src/miniprogram/polyfill.js"
printf '{"type":"module"}\n' >"$src/package.json"

cp js/web.js "$stage/web/index.js"
esbuild() { (cd "$src" && "$OLDPWD/$ESBUILD" "$@" --log-level=warning); }  # relative paths in comments
esbuild node/index.js --bundle --platform=node --format=cjs --target=node18 \
    --outfile="$stage/node/index.cjs"
cat >"$stage/node/index.mjs" <<'EOF'
// ES module face of the Node entry: the same, already initialised instance.
import cjs from "./index.cjs";

export const Workspace = cjs.Workspace;
export const init = cjs.init;
export default cjs.init;
EOF
# The polyfill is injected: esbuild evaluates it before the glue and points
# the glue's bare TextDecoder/TextEncoder at its exports.
esbuild miniprogram/index.js --bundle --platform=neutral --format=cjs --target=es2017 \
    --inject:miniprogram/polyfill.js --outfile="$stage/miniprogram/index.js"
# In WeChat, "Build npm" copies pkg/miniprogram/ to miniprogram_npm/member-analytics/:
# `require("member-analytics")` finds index.js, and this alias makes the
# `require("member-analytics/miniprogram")` of the docs work there too.
mkdir -p "$stage/miniprogram/miniprogram"
printf 'module.exports = require("../index.js");\n' >"$stage/miniprogram/miniprogram/index.js"
node -e '
    const zlib = require("zlib"), fs = require("fs");
    const [from, to] = process.argv.slice(1);
    fs.writeFileSync(to, zlib.brotliCompressSync(fs.readFileSync(from), {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_GENERIC },
    }));' "$stage/member_analytics_bg.wasm" "$stage/miniprogram/member_analytics_bg.wasm.br"

# Mini-programs run no eval and reach the wasm only through WXWebAssembly.
if grep -rnE --include='*.js' 'fetch\(|new URL|import\.meta|\beval\(|new Function' "$stage/miniprogram"; then
    die "pkg/miniprogram/ uses fetch, URL, import.meta, eval or new Function (lines above)"
fi
if grep -nE 'import\.meta' "$stage/web/index.js" "$stage/member_analytics_bg.js"; then
    die "the web entry must not use import.meta (lines above)"
fi

# --- 6. Types, package.json, and a check that the glue and the module agree ----
cp js/index.d.ts "$stage/index.d.ts"
cp js/miniprogram.d.ts "$stage/miniprogram.d.ts"
[[ -f README.md ]] && cp README.md "$stage/"
node - "$stage" <<'EOF'
const fs = require("fs"), path = require("path");
const stage = process.argv[2];
const cargo = fs.readFileSync("Cargo.toml", "utf8");
const field = (name) => (cargo.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m")) || [])[1];
const pkg = {
    name: "member-analytics",
    version: field("version"),
    description: field("description"),
    license: field("license"),
    type: "module",
    main: "./node/index.cjs",
    module: "./web/index.js",
    types: "./index.d.ts",
    // WeChat's "Build npm" copies this folder to miniprogram_npm/member-analytics/.
    miniprogram: "miniprogram",
    exports: {
        ".": {
            types: "./index.d.ts",
            browser: "./web/index.js",
            node: { import: "./node/index.mjs", require: "./node/index.cjs" },
            default: "./web/index.js",
        },
        "./web": { types: "./index.d.ts", default: "./web/index.js" },
        "./node": { types: "./index.d.ts", import: "./node/index.mjs", require: "./node/index.cjs" },
        "./miniprogram": { types: "./miniprogram.d.ts", default: "./miniprogram/index.js" },
        "./member_analytics_bg.wasm": "./member_analytics_bg.wasm",
        "./package.json": "./package.json",
    },
    files: ["index.d.ts", "miniprogram.d.ts", "member_analytics_bg.js", "member_analytics_bg.wasm", "web/", "node/", "miniprogram/", "README.md"],
    sideEffects: false,
};
fs.writeFileSync(path.join(stage, "package.json"), JSON.stringify(pkg, null, 2) + "\n");

// Every import of the module must come from the glue, under the name the entries use.
const mod = new WebAssembly.Module(fs.readFileSync(path.join(stage, "member_analytics_bg.wasm")));
const glue = fs.readFileSync(path.join(stage, "member_analytics_bg.js"), "utf8");
for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module !== "./member_analytics_bg.js") {
        throw new Error(`wasm imports from "${imp.module}", the entries provide only "./member_analytics_bg.js"`);
    }
    if (!new RegExp(`export function ${imp.name.replace(/\$/g, "\\$")}\\b`).test(glue)) {
        throw new Error(`the glue does not export ${imp.name}, which the wasm imports`);
    }
}
if (!/export function __wbg_set_wasm\b/.test(glue)) throw new Error("the glue has no __wbg_set_wasm");
if (!WebAssembly.Module.exports(mod).some((e) => /^workspace_/.test(e.name))) {
    throw new Error("the module exports no Workspace (src/wasm.rs missing?)");
}
EOF

rm -rf pkg
mv "$stage" pkg

# --- 7. What the dashboard serves (gitignored) --------------------------------
rm -rf www/pkg
mkdir -p www/pkg/web www/vendor
cp pkg/web/index.js www/pkg/web/index.js
cp pkg/member_analytics_bg.js pkg/member_analytics_bg.wasm pkg/index.d.ts www/pkg/
cp node_modules/echarts/dist/echarts.min.js www/vendor/echarts.min.js

size() { printf '%s %s KB' "$1" $(( $(stat -c %s "$1") / 1024 )); }
say "done: $(size pkg/member_analytics_bg.wasm), $(size pkg/miniprogram/member_analytics_bg.wasm.br), $(size pkg/miniprogram/index.js)"

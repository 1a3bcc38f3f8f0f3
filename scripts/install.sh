#!/usr/bin/env bash
# Install what the build and the tests need, skipping whatever is already
# present at the right version. Idempotent and fast on a machine that has
# everything; on a fresh Debian machine (as root) it installs it all from the
# package registries (TOOLCHAIN.md "Installing on a fresh machine").
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with `wasm-bindgen = "=…"` in Cargo.toml: the CLI must match exactly.
WASM_BINDGEN_VERSION=0.2.130

say() { printf 'install: %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust: the wasm target and the lint components ----------------------------
if ! command -v rustup >/dev/null; then
    echo "install: rustup not found; install Rust from https://rustup.rs first" >&2
    exit 1
fi
installed_targets=$(rustup target list --installed)
if grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
    say "skip: rust target wasm32-unknown-unknown already installed"
else
    rustup target add wasm32-unknown-unknown
fi
installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
    if grep -q "^$component" <<<"$installed_components"; then
        say "skip: rustup component $component already installed"
    else
        rustup component add "$component"
    fi
done

# --- The wasm builds' pinned nightly, with the std sources it compiles
# --- (-Z build-std, scripts/build.sh); rustup fetches it from its own server --
WASM_TOOLCHAIN=$(<scripts/wasm-toolchain)
if rustup component list --toolchain "$WASM_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
    say "skip: toolchain $WASM_TOOLCHAIN with rust-src already installed"
else
    say "installing toolchain $WASM_TOOLCHAIN with rust-src (the wasm builds)"
    rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal --component rust-src
fi

# --- wasm-bindgen CLI, pinned to the crate's version (no --locked: TOOLCHAIN) --
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
    say "skip: wasm-bindgen $WASM_BINDGEN_VERSION already installed"
else
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# --- Debian packages: headless Chromium for the page tests, CJK fonts for
# --- screenshots, brotli, and wabt's wasm-validate for the MVP check ---------
missing_debs=()
[[ -x /usr/bin/chromium ]] || missing_debs+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing_debs+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing_debs+=(fonts-noto-cjk)
command -v brotli >/dev/null || missing_debs+=(brotli)
command -v wasm-validate >/dev/null || missing_debs+=(wabt)
if ((${#missing_debs[@]} == 0)); then
    say "skip: chromium, chromium-driver, fonts-noto-cjk, brotli, wabt already installed"
elif [[ $(id -u) -ne 0 ]]; then
    echo "install: missing Debian packages (${missing_debs[*]}); run this script as root" >&2
    exit 1
else
    say "installing Debian packages: ${missing_debs[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium chromium-driver fonts-noto-cjk brotli wabt
fi

# --- npm devDependencies (esbuild, binaryen's wasm-opt, echarts, playwright-core)
if ! command -v npm >/dev/null; then
    echo "install: node and npm not found; install Node.js 20 or newer" >&2
    exit 1
fi
# node_modules is current when every pinned devDependency is there at its version.
deps_current() {
    node -e '
        const fs = require("fs");
        const want = require("./package.json").devDependencies || {};
        for (const [name, version] of Object.entries(want)) {
            const file = `node_modules/${name}/package.json`;
            if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(1);
        }' 2>/dev/null
}
if [[ -d node_modules ]] && deps_current && [[ -x node_modules/.bin/wasm-opt && -x node_modules/.bin/esbuild ]]; then
    say "skip: node_modules has every devDependency at its pinned version"
elif [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund
else
    npm install --no-audit --no-fund
fi

# One entry point, locally and in CI (.ci/run runs `make test`).
.PHONY: install build demo test lint test-rust test-js test-e2e bench clean

install:
	bash scripts/install.sh

build: install
	bash scripts/build.sh

demo: build
	node scripts/serve.mjs

test: build lint test-rust test-js test-e2e

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings  # the mini-program build

test-rust:
	cargo test

test-js:
	node --test tests/js/ tests/miniprogram/ tests/readme.test.mjs

# The dashboard's page tests, in headless Chromium.
test-e2e:
	node --test tests/e2e/

# The project against DuckDB-WASM, plain JS and its own native build (BENCHMARKS.md).
# BENCH_SIZES=100k,1m limits the sizes (default 100k,1m,5m); see benches/run.mjs.
bench: build
	node benches/run.mjs

clean:
	cargo clean
	rm -rf pkg www/pkg www/vendor node_modules

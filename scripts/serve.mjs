// A tiny static server for the dashboard (www/), on 127.0.0.1 only, with the
// Content-Security-Policy the dashboard must live under (wasm allowed, no
// eval, no third-party hosts). No dependencies: node's http.
//
//   node scripts/serve.mjs              # PORT=8080 by default, or the next free port
//   PORT=9000 node scripts/serve.mjs
//
// Also a module, for the end-to-end tests:
//
//   import { serve } from "../../scripts/serve.mjs";
//   const { url, close } = await serve({ root: "www", port: 0 });
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const CSP =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
    "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'";

export const MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ts": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
};

const HOST = "127.0.0.1";
const FIRST_PORT = 8080;
const LAST_PORT = 8179;

/**
 * Serve `root` on 127.0.0.1. With `port` undefined, the first free port from
 * 8080; with 0, any free port.
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export async function serve({ root = "www", port } = {}) {
    const base = resolve(root);
    const server = createServer((req, res) => handle(base, req, res));
    let bound;
    if (port === undefined || port === null) {
        for (let p = FIRST_PORT; p <= LAST_PORT && bound === undefined; p++) {
            bound = await listen(server, p).catch((err) => {
                if (err.code !== "EADDRINUSE") throw err;
                return undefined;
            });
        }
        if (bound === undefined) throw new Error(`no free port between ${FIRST_PORT} and ${LAST_PORT}`);
    } else {
        bound = await listen(server, Number(port));
    }
    return {
        url: `http://${HOST}:${bound}/`,
        port: bound,
        close: () =>
            new Promise((done) => {
                server.close(() => done());
                server.closeAllConnections?.();
            }),
    };
}

function listen(server, port) {
    return new Promise((ok, fail) => {
        const onError = (err) => {
            server.off("listening", onListening);
            fail(err);
        };
        const onListening = () => {
            server.off("error", onError);
            ok(server.address().port);
        };
        server.once("error", onError);
        server.once("listening", onListening);
        server.listen(port, HOST);
    });
}

async function handle(base, req, res) {
    const headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { ...headers, Allow: "GET, HEAD", "Content-Type": MIME[".txt"] });
        res.end("method not allowed\n");
        return;
    }
    let pathname;
    try {
        pathname = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
        pathname = "\0";
    }
    let file = join(base, pathname);
    if (pathname.includes("\0") || (file !== base && !file.startsWith(base + sep))) {
        res.writeHead(400, { ...headers, "Content-Type": MIME[".txt"] });
        res.end("bad path\n");
        return;
    }
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
        if (!pathname.endsWith("/")) {
            res.writeHead(301, { ...headers, Location: `${pathname}/` });
            res.end();
            return;
        }
        file = join(file, "index.html");
        info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
        res.writeHead(404, { ...headers, "Content-Type": MIME[".txt"] });
        res.end("not found\n");
        return;
    }
    const type = MIME[extname(file).toLowerCase()] ?? "application/octet-stream";
    res.writeHead(200, { ...headers, "Content-Type": type, "Content-Length": info.size });
    if (req.method === "HEAD") {
        res.end();
        return;
    }
    createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const root = fileURLToPath(new URL("../www/", import.meta.url));
    const { url } = await serve({ root, port: process.env.PORT || undefined });
    console.log(`Dashboard: ${url}`);
    console.log("Press Ctrl+C to stop.");
}

// UTF-8 TextEncoder / TextDecoder for platforms without them (WeChat
// mini-programs on some base libraries). The build injects this file into the
// mini-program bundle with esbuild's `inject`, so every bare `TextDecoder` /
// `TextEncoder` in the bundle (the wasm-bindgen glue builds a TextDecoder as
// it loads) refers to these exports, which are the platform's own classes
// when it has them and the small classes below only when it does not. Nothing
// is written to the global object.
//
// Only UTF-8 is supported, which is all the glue uses: it passes strings to
// and from wasm as UTF-8.

const root =
    typeof globalThis !== "undefined"
        ? globalThis
        : typeof self !== "undefined"
          ? self
          : typeof global !== "undefined"
            ? global
            : {};

class Utf8Encoder {
    get encoding() {
        return "utf-8";
    }

    encode(input = "") {
        const str = String(input);
        const out = new Uint8Array(str.length * 3);
        return out.slice(0, this.encodeInto(str, out).written);
    }

    /** Encode as much of `str` as fits in `view`; lone surrogates become U+FFFD. */
    encodeInto(input, view) {
        const str = String(input);
        let read = 0;
        let written = 0;
        const n = view.length;
        while (read < str.length) {
            let cp = str.charCodeAt(read);
            let units = 1;
            if (cp >= 0xd800 && cp <= 0xdbff && read + 1 < str.length) {
                const next = str.charCodeAt(read + 1);
                if (next >= 0xdc00 && next <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
                    units = 2;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
            if (cp < 0x80) {
                if (written + 1 > n) break;
                view[written++] = cp;
            } else if (cp < 0x800) {
                if (written + 2 > n) break;
                view[written++] = 0xc0 | (cp >> 6);
                view[written++] = 0x80 | (cp & 0x3f);
            } else if (cp < 0x10000) {
                if (written + 3 > n) break;
                view[written++] = 0xe0 | (cp >> 12);
                view[written++] = 0x80 | ((cp >> 6) & 0x3f);
                view[written++] = 0x80 | (cp & 0x3f);
            } else {
                if (written + 4 > n) break;
                view[written++] = 0xf0 | (cp >> 18);
                view[written++] = 0x80 | ((cp >> 12) & 0x3f);
                view[written++] = 0x80 | ((cp >> 6) & 0x3f);
                view[written++] = 0x80 | (cp & 0x3f);
            }
            read += units;
        }
        return { read, written };
    }
}

class Utf8Decoder {
    constructor(label = "utf-8", options = {}) {
        const name = String(label).trim().toLowerCase();
        if (name !== "utf-8" && name !== "utf8" && name !== "unicode-1-1-utf-8") {
            throw new RangeError(`TextDecoder polyfill: only utf-8 is supported, not "${label}"`);
        }
        this.fatal = Boolean(options.fatal);
        this.ignoreBOM = Boolean(options.ignoreBOM);
    }

    get encoding() {
        return "utf-8";
    }

    /** Decode a whole buffer (no streaming); invalid sequences become U+FFFD. */
    decode(input) {
        if (input === undefined) return "";
        const bytes = ArrayBuffer.isView(input)
            ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
            : new Uint8Array(input);
        const n = bytes.length;
        let i = 0;
        if (!this.ignoreBOM && n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
        let out = "";
        let units = [];
        while (i < n) {
            const b = bytes[i];
            let cp = -1;
            let len = 1;
            if (b < 0x80) {
                cp = b;
            } else if (b >= 0xc2 && b <= 0xf4) {
                const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
                // The second byte's range excludes overlongs, surrogates and > U+10FFFF (WHATWG).
                const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
                const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
                let value = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
                let k = 1;
                for (; k <= need; k++) {
                    const c = bytes[i + k];
                    if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) break;
                    value = (value << 6) | (c & 0x3f);
                }
                if (k > need) cp = value;
                len = k > need ? need + 1 : k;
            }
            if (cp < 0) {
                if (this.fatal) throw new TypeError("The encoded data was not valid utf-8");
                cp = 0xfffd;
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else {
                units.push(cp);
            }
            if (units.length >= 8192) {
                out += String.fromCharCode.apply(null, units);
                units = [];
            }
            i += len;
        }
        return out + String.fromCharCode.apply(null, units);
    }
}

const NativeEncoder = root.TextEncoder;
const NativeDecoder = root.TextDecoder;

const TextEncoder = typeof NativeEncoder === "function" ? NativeEncoder : Utf8Encoder;
const TextDecoder = typeof NativeDecoder === "function" ? NativeDecoder : Utf8Decoder;

export { TextEncoder, TextDecoder, Utf8Encoder, Utf8Decoder };

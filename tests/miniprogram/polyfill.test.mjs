// js/polyfill.js, the mini-program's UTF-8 TextEncoder/TextDecoder, against
// Node's own on the cases that matter: CJK, astral characters, lone
// surrogates, a BOM, invalid and truncated sequences.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Utf8Decoder, Utf8Encoder } from "../../js/polyfill.js";

const STRINGS = ["", "abc", "会员分析 ¥1,234.50 ￥", "emoji 😀 x", "\ud800 lone", "a\udc00b", "\ufeffbom", "x".repeat(20000) + "尾"];

it("encodes like TextEncoder, including encodeInto into a short buffer", () => {
    const mine = new Utf8Encoder();
    const native = new TextEncoder();
    for (const s of STRINGS) {
        assert.deepEqual(mine.encode(s), native.encode(s), JSON.stringify(s.slice(0, 20)));
        for (const size of [0, 1, 2, 5, 9]) {
            const a = new Uint8Array(size);
            const b = new Uint8Array(size);
            assert.deepEqual(mine.encodeInto(s, a), native.encodeInto(s, b), `${JSON.stringify(s.slice(0, 20))} into ${size}`);
            assert.deepEqual(a, b);
        }
    }
});

it("decodes like TextDecoder, with and without ignoreBOM, on valid and invalid bytes", () => {
    const pairs = [
        [new Utf8Decoder("utf-8", { ignoreBOM: true }), new TextDecoder("utf-8", { ignoreBOM: true })],
        [new Utf8Decoder(), new TextDecoder()],
    ];
    const inputs = STRINGS.map((s) => new TextEncoder().encode(s));
    // Every short mix of lead, continuation and boundary bytes.
    const interesting = [0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x90, 0x8f];
    for (const a of interesting) {
        for (const b of interesting) {
            for (const c of [0x80, 0xbf, 0x41]) inputs.push(new Uint8Array([a, b, c]), new Uint8Array([a, b]));
        }
    }
    for (const bytes of inputs) {
        for (const [mine, native] of pairs) assert.equal(mine.decode(bytes), native.decode(bytes), `${[...bytes.slice(0, 8)]}`);
        const fatal = (D) => {
            try {
                return new D("utf-8", { fatal: true }).decode(bytes);
            } catch {
                return "<error>";
            }
        };
        assert.equal(fatal(Utf8Decoder), fatal(TextDecoder), `fatal ${[...bytes.slice(0, 8)]}`);
    }
    const text = new TextEncoder().encode("xx会员yy");
    assert.equal(new Utf8Decoder().decode(text.subarray(2, 8)), "会员", "a view into a larger buffer");
    assert.equal(new Utf8Decoder().decode(), "");
    assert.throws(() => new Utf8Decoder("gbk"), RangeError);
});

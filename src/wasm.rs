//! The JS face: the only module that names `wasm_bindgen`, `js_sys` or
//! `serde_wasm_bindgen` (compiled for `wasm32` only). Every export is
//! decode → call the core → encode; errors become real JS `Error`s with a
//! stable `code` (and `field` / `fileName` when known).

use crate::analytics::query::MembersQuery;
use crate::demo::{DemoOptions, generate};
use crate::export::ExportOptions;
use crate::ingest::{Kind, LoadOptions};
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// Maps become plain objects; `u64`/`i64` become numbers (fen totals stay
/// far below 2^53).
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_maps_as_objects(true)
    .serialize_large_number_types_as_bigints(false);

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&SERIALIZER).map_err(|e| error("INTERNAL", &e.to_string(), None, None))
}

/// A JS `Error` with `code`, and `field` / `fileName` when given.
fn error(code: &str, message: &str, field: Option<&str>, file: Option<&str>) -> JsValue {
    let err = js_sys::Error::new(message);
    let set = |key: &str, value: &str| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = Reflect::set(&err, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    set("code", code);
    if let Some(f) = field {
        set("field", f);
    }
    if let Some(f) = file {
        set("fileName", f);
    }
    err.into()
}

fn js_error(e: crate::Error) -> JsValue {
    error(e.code(), &e.to_string(), e.field(), e.file())
}

/// Options objects: `undefined`/`null` mean all defaults; unknown fields
/// are an error that names them.
fn options<T: DeserializeOwned + Default>(what: &str, value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| error("BAD_OPTIONS", &format!("{what}: {e}"), Some(what), None))
}

/// The state of one analysis session: data, rules, results.
///
/// ```js
/// const ws = new Workspace();
/// const report = ws.load("orders", bytes, { fileName: "orders.csv" });
/// const summary = ws.analyze();
/// const page = ws.members({ valueGroup: "value", sort: "m_desc", limit: 20 });
/// ws.free();
/// ```
#[wasm_bindgen]
pub struct Workspace(crate::Workspace);

#[wasm_bindgen]
impl Workspace {
    /// An empty workspace with the default rules: `new Workspace()`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workspace {
        Workspace(crate::Workspace::new())
    }

    /// Read a whole file: `ws.load("orders", bytes, { mapping: { member_id: "卡号" } })` → ImportReport.
    pub fn load(&mut self, kind: &str, bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
        let kind = Kind::parse(kind).map_err(js_error)?;
        let options: LoadOptions = self::options("options", options)?;
        to_js(&self.0.load(kind, bytes, &options).map_err(js_error)?)
    }

    /// Start a streaming load: `ws.beginLoad("orders", { fileName: file.name })`.
    #[wasm_bindgen(js_name = beginLoad)]
    pub fn begin_load(&mut self, kind: &str, options: JsValue) -> Result<(), JsValue> {
        let kind = Kind::parse(kind).map_err(js_error)?;
        let options: LoadOptions = self::options("options", options)?;
        self.0.begin_load(kind, options).map_err(js_error)
    }

    /// Feed a chunk of any size: `const rows = ws.push(new Uint8Array(buf))`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        self.0.push(chunk).map(|n| n as f64).map_err(js_error)
    }

    /// End the streaming load: `const report = ws.finishLoad()`.
    #[wasm_bindgen(js_name = finishLoad)]
    pub fn finish_load(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.0.finish_load().map_err(js_error)?)
    }

    /// Load the embedded demo store: `ws.loadDemo({ seed: 7 })` → `{ orders, members }` reports.
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let options = demo_options(options)?;
        let (orders, members) = self.0.load_demo(&options).map_err(js_error)?;
        #[derive(Serialize)]
        struct Reports {
            orders: crate::ingest::ImportReport,
            members: crate::ingest::ImportReport,
        }
        to_js(&Reports { orders, members })
    }

    /// Replace the rules: `ws.setRules({ rfm: { windowDays: 180 } })` or a JSON string.
    #[wasm_bindgen(js_name = setRules)]
    pub fn set_rules(&mut self, rules: JsValue) -> Result<(), JsValue> {
        let json = match rules.as_string() {
            Some(s) => s,
            None => js_sys::JSON::stringify(&rules)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| error("INVALID_RULES", "rules must be a JSON string or an object", Some(""), None))?,
        };
        self.0.set_rules(&json).map_err(js_error)
    }

    /// The rules in force: `ws.rules().rfm.windowDays`.
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        to_js(self.0.rules())
    }

    /// The default rules: `Workspace.defaultRules()`.
    #[wasm_bindgen(js_name = defaultRules)]
    pub fn default_rules() -> Result<JsValue, JsValue> {
        to_js(&crate::Rules::default())
    }

    /// Analyse: `ws.analyze({ asOf: "2026-11-01" })` → Summary.
    pub fn analyze(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(serde::Deserialize, Default)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct AnalyzeOptions {
            as_of: Option<String>,
        }
        let options: AnalyzeOptions = self::options("options", options)?;
        to_js(self.0.analyze(options.as_of.as_deref()).map_err(js_error)?)
    }

    /// A page of members: `ws.members({ rfmClass: "important_value", offset: 0, limit: 50 })`.
    pub fn members(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: MembersQuery = options("query", query)?;
        to_js(&self.0.members(&query).map_err(js_error)?)
    }

    /// One member: `ws.member("M00042")`.
    pub fn member(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(&self.0.member(id).map_err(js_error)?)
    }

    /// The member list as CSV (UTF-8 with BOM): `ws.exportMembers({ lang: "zh" })` → Uint8Array.
    #[wasm_bindgen(js_name = exportMembers)]
    pub fn export_members(&self, options: JsValue) -> Result<Uint8Array, JsValue> {
        let options: ExportOptions = self::options("options", options)?;
        let bytes = self.0.export_members(&options).map_err(js_error)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// The demo store's files: `Workspace.demoFiles({ orders: 1_000_000 }).orders` → Uint8Array.
    #[wasm_bindgen(js_name = demoFiles)]
    pub fn demo_files(options: JsValue) -> Result<JsValue, JsValue> {
        let files = generate(&demo_options(options)?);
        let out = js_sys::Object::new();
        let set = |key: &str, bytes: &[u8]| Reflect::set(&out, &JsValue::from_str(key), &Uint8Array::from(bytes));
        set("orders", &files.orders)?;
        set("members", &files.members)?;
        Ok(out.into())
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

fn demo_options(value: JsValue) -> Result<DemoOptions, JsValue> {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Js {
        seed: Option<f64>,
        members: Option<f64>,
        orders: Option<f64>,
    }
    let js: Js = options("options", value)?;
    let count = |v: Option<f64>| v.map(|x| x.clamp(0.0, 1e9) as usize);
    Ok(DemoOptions {
        seed: js.seed.map_or(DemoOptions::default().seed, |s| s.clamp(0.0, 9.0e15) as u64),
        members: count(js.members),
        orders: count(js.orders),
    })
}

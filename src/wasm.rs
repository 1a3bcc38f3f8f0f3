//! The JS face: the only module that names `wasm_bindgen`, `js_sys` or
//! `serde_wasm_bindgen` (compiled for `wasm32` only). Every export is
//! decode → call the core → encode; errors become real JS `Error`s with a
//! stable `code` (and `field` / `fileName` when known).
//!
//! Cargo features decide a few methods: `demo` (`loadDemo`,
//! `Workspace.demoFiles`), `predict` (`predict`) and `campaigns`
//! (`planCampaign`, `exportCampaign`, `campaignUplift`); the mini-program
//! build leaves them out (README, "Builds and sizes"). It also leaves out
//! `js-objects`, so its results cross as JSON text (`to_js`).

use crate::analytics::query::MembersQuery;
#[cfg(feature = "demo")]
use crate::demo::DemoOptions;
use crate::export::ExportOptions;
use crate::ingest::{Kind, LoadOptions};
#[cfg(feature = "campaigns")]
use crate::loyalty::campaign::{CampaignOptions, UpliftOptions};
use crate::model::format_day;
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// Maps become plain objects, `None` becomes `null` (as index.d.ts says),
/// `u64`/`i64` become numbers (fen totals stay far below 2^53).
#[cfg(feature = "js-objects")]
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_maps_as_objects(true)
    .serialize_missing_as_null(true)
    .serialize_large_number_types_as_bigints(false);

/// A result as JS objects, built by serde-wasm-bindgen.
#[cfg(feature = "js-objects")]
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&SERIALIZER).map_err(|e| error("INTERNAL", &e.to_string(), None, None))
}

/// A result as JS objects, through JSON text and `JSON.parse`: the same
/// objects (in the same key order) as serde-wasm-bindgen builds, as no
/// result holds a float that is not finite or an integer beyond 2^53, from
/// less code for each result type (the mini-program build).
#[cfg(not(feature = "js-objects"))]
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| error("INTERNAL", &e.to_string(), None, None))?;
    js_sys::JSON::parse(&text)
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

/// A JS value (object or JSON string) as JSON text.
fn json_text(what: &str, value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| error("BAD_OPTIONS", &format!("{what} must be an object or a JSON string"), Some(what), None))
}

/// Options objects: `undefined`/`null` mean all defaults. They go through
/// JSON so that serde's `deny_unknown_fields` applies: a misspelt option is
/// an error that names it, never silently ignored (STYLE 7).
fn options<T: DeserializeOwned + Default>(what: &str, value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    crate::json::from_str(&json_text(what, &value)?).map_err(|e| bad_options(what, e))
}

/// A `BAD_OPTIONS` error at the path, or naming `what` itself.
fn bad_options(what: &str, e: crate::json::PathError) -> JsValue {
    let field = if e.path.is_empty() { what } else { &e.path };
    error("BAD_OPTIONS", &format!("{what}: {field}: {}", e.message), Some(field), None)
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
    /// The bytes are copied in 4 MiB at a time, not whole: wasm memory never
    /// shrinks, and a file-sized copy would also be paid for in fresh pages.
    pub fn load(&mut self, kind: &str, bytes: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        const CHUNK: usize = 4 << 20;
        // An array or ArrayBuffer is read as the bytes it holds, as before.
        let bytes = bytes.dyn_into::<Uint8Array>().unwrap_or_else(|other| Uint8Array::new(&other));
        let kind = Kind::parse(kind).map_err(js_error)?;
        let options: LoadOptions = self::options("options", options)?;
        let fill = |at: usize, buf: &mut [u8]| bytes.subarray(at as u32, (at + buf.len()) as u32).copy_to(buf);
        to_js(&self.0.load_from(kind, bytes.length() as usize, &options, CHUNK, fill).map_err(js_error)?)
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

    /// Abandon the streaming load, keeping the earlier data: `ws.cancelLoad()` → whether one was open.
    #[wasm_bindgen(js_name = cancelLoad)]
    pub fn cancel_load(&mut self) -> bool {
        self.0.cancel_load()
    }

    /// End the streaming load: `const report = ws.finishLoad()`.
    #[wasm_bindgen(js_name = finishLoad)]
    pub fn finish_load(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.0.finish_load().map_err(js_error)?)
    }

    /// Load the embedded demo store: `ws.loadDemo({ seed: 7 })` → `{ orders, members, orderLines, events }` reports.
    #[cfg(feature = "demo")]
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let (options, files) = demo_options(options)?;
        if files.is_some() {
            return Err(error(
                "BAD_OPTIONS",
                "loadDemo loads every file; `files` is an option of demoFiles",
                Some("files"),
                None,
            ));
        }
        let (orders, members, order_lines, events) = self.0.load_demo(&options).map_err(js_error)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Reports {
            orders: crate::ingest::ImportReport,
            members: crate::ingest::ImportReport,
            order_lines: crate::ingest::ImportReport,
            events: crate::ingest::ImportReport,
        }
        to_js(&Reports { orders, members, order_lines, events })
    }

    /// Replace the rules: `ws.setRules({ rfm: { windowDays: 180 } })` or a JSON string.
    #[wasm_bindgen(js_name = setRules)]
    pub fn set_rules(&mut self, rules: JsValue) -> Result<(), JsValue> {
        let json = json_text("rules", &rules)?;
        self.0.set_rules(&json).map_err(js_error)
    }

    /// The rules in force: `ws.rules().rfm.windowDays`.
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        to_js(self.0.rules())
    }

    /// Check a rules document without applying it: `Workspace.validateRules(text)`
    /// throws the error `setRules` would (code `INVALID_RULES`, `field` = the JSON path).
    #[wasm_bindgen(js_name = validateRules)]
    pub fn validate_rules(rules: JsValue) -> Result<(), JsValue> {
        let json = json_text("rules", &rules)?;
        crate::Rules::from_json(&json).map(drop).map_err(js_error)
    }

    /// The bytes of wasm memory this module holds: `Workspace.memoryBytes()`.
    /// Wasm memory never shrinks, so this is also the peak since start-up.
    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes() -> f64 {
        (core::arch::wasm32::memory_size::<0>() * 65_536) as f64
    }

    /// The default rules: `Workspace.defaultRules()`.
    #[wasm_bindgen(js_name = defaultRules)]
    pub fn default_rules() -> Result<JsValue, JsValue> {
        to_js(&crate::Rules::default())
    }

    /// Analyse: `ws.analyze({ asOf: "2026-11-01" })` → Summary.
    pub fn analyze(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: AsOfOptions = self::options("options", options)?;
        to_js(self.0.analyze(options.as_of.as_deref()).map_err(js_error)?)
    }

    /// Golden hours, new-member retention by weekly cohort and community
    /// groups of the latest analysis: `ws.insights().goldenHours.bestSlot`.
    pub fn insights(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.analysis().map_err(js_error)?.insights.summary)
    }

    /// Fit the predictive models as of the latest analysis:
    /// `const p = ws.predict(); p.store.next30Days.revenueFen` → PredictionSummary.
    /// Member rows then carry `probabilityAlive`, `clvFen`, `valueAtRiskFen`, `atRisk`.
    #[cfg(feature = "predict")]
    pub fn predict(&mut self) -> Result<JsValue, JsValue> {
        to_js(self.0.predict().map_err(js_error)?)
    }

    /// A page of members: `ws.members({ rfmClass: "important_value", offset: 0, limit: 50 })`.
    pub fn members(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: MembersQuery = options("query", query)?;
        to_js(&self.0.members(&query).map_err(js_error)?)
    }

    /// RFM alone as typed arrays, by member index, with the ids, without
    /// running the other modules (no `analyze` needed):
    /// `const { asOf, ids, r, f, mFen, scores } = ws.rfmColumns({ asOf: "2026-11-01" })`
    /// (`scores` holds R, F, M scores interleaved; 0 where a member has no
    /// purchase in the window). `asOf` defaults to the latest analysis's
    /// date, else the day after the latest record.
    #[wasm_bindgen(js_name = rfmColumns)]
    pub fn rfm_columns(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: AsOfOptions = self::options("options", options)?;
        let c = self.0.rfm(options.as_of.as_deref()).map_err(js_error)?;
        let ids = strings(c.ids.names());
        let out = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&out, &JsValue::from_str(key), value);
        set("asOf", &JsValue::from_str(&format_day(c.as_of)))?;
        set("ids", &ids)?;
        set("r", &js_sys::Uint32Array::from(c.r.as_slice()))?;
        set("f", &js_sys::Uint32Array::from(c.f.as_slice()))?;
        set("mFen", &js_sys::Float64Array::from(c.m_fen.as_slice()))?;
        set("scores", &Uint8Array::from(c.scores.as_slice()))?;
        Ok(out.into())
    }

    /// One member: `ws.member("M00042")`.
    pub fn member(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(&self.0.member(id).map_err(js_error)?)
    }

    /// The coupon templates of the rules in force, each with a description:
    /// `ws.couponTemplates()[0].description` → "无门槛减5，领取后7天内有效".
    #[wasm_bindgen(js_name = couponTemplates)]
    pub fn coupon_templates(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.coupon_templates())
    }

    /// Whether a member may receive a coupon, with every failing rule and its reason:
    /// `ws.couponEligibility("M00042", "recall", { at: "2026-11-01", spendFen: 2500, with: ["free_delivery"] })`.
    #[wasm_bindgen(js_name = couponEligibility)]
    pub fn coupon_eligibility(&self, member_id: &str, coupon: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let options: crate::loyalty::coupons::EligibilityOptions = self::options("options", options)?;
        to_js(&self.0.coupon_eligibility(member_id, coupon, &options).map_err(js_error)?)
    }

    /// Coupons issued, not used, expiring within their reminder window, paged:
    /// `ws.couponReminders({ at: "2026-11-01", offset: 0, limit: 50 })`.
    #[wasm_bindgen(js_name = couponReminders)]
    pub fn coupon_reminders(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: crate::loyalty::coupons::RemindersQuery = options("query", query)?;
        to_js(&self.0.coupon_reminders(&query).map_err(js_error)?)
    }

    /// Issue and use rates by coupon, value group and lifecycle: `ws.couponStats({ coupon: "recall" })`.
    #[wasm_bindgen(js_name = couponStats)]
    pub fn coupon_stats(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: crate::loyalty::coupons::StatsQuery = options("query", query)?;
        to_js(&self.0.coupon_stats(&query).map_err(js_error)?)
    }

    /// The member list as CSV (UTF-8 with BOM): `ws.exportMembers({ lang: "zh" })` → Uint8Array.
    #[wasm_bindgen(js_name = exportMembers)]
    pub fn export_members(&self, options: JsValue) -> Result<Uint8Array, JsValue> {
        let options: ExportOptions = self::options("options", options)?;
        let bytes = self.0.export_members(&options).map_err(js_error)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// A member's ranked offers from the playbook (sent on the analysis date):
    /// `ws.offers("M00042")[0].reason` → `[{ key, name, reason, channel, sendAt, costFen, … }]`.
    pub fn offers(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(&self.0.offers(id).map_err(js_error)?)
    }

    /// Plan a campaign: `ws.planCampaign({ id: "recall-03", crowd: "lifecycle = churned",
    /// offers: ["recall"], budgetFen: 50000, perMemberCap: 1, holdoutShare: 0.1, limit: 20 })`
    /// → `{ targeted, treated, holdout, costFen, perOffer, total, rows }`.
    #[cfg(feature = "campaigns")]
    #[wasm_bindgen(js_name = planCampaign)]
    pub fn plan_campaign(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: CampaignOptions = self::options("options", options)?;
        to_js(&self.0.plan_campaign(&options).map_err(js_error)?)
    }

    /// A campaign's send list as CSV bytes (UTF-8 with BOM, phones masked), like `exportMembers`:
    /// `ws.exportCampaign({ id: "recall-03", …, list: "send" | "holdout", lang: "zh" })`.
    #[cfg(feature = "campaigns")]
    #[wasm_bindgen(js_name = exportCampaign)]
    pub fn export_campaign(&self, options: JsValue) -> Result<Uint8Array, JsValue> {
        let options: CampaignOptions = self::options("options", options)?;
        let bytes = self.0.export_campaign(&options).map_err(js_error)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// Treated against holdout after a campaign: `ws.campaignUplift({ id, sendDate: "2026-03-01",
    /// holdoutShare: 0.1, members: ids, days: 30 })` → `{ status, treated, holdout, difference }`.
    #[cfg(feature = "campaigns")]
    #[wasm_bindgen(js_name = campaignUplift)]
    pub fn campaign_uplift(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: UpliftOptions = self::options("options", options)?;
        to_js(&self.0.campaign_uplift(&options).map_err(js_error)?)
    }

    /// The store's points as of the analysis date or `asOf`:
    /// `ws.points({ asOf: "2026-12-15" })` → `{ liabilityPoints, liabilityFen,
    /// expiringMembers, expiringPoints, expirySchedule, reconcile, … }`.
    pub fn points(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: AsOfOptions = self::options("options", options)?;
        to_js(&self.0.points(options.as_of.as_deref()).map_err(js_error)?)
    }

    /// One member's points ledger, line by line:
    /// `ws.pointsLedger("M00042", { asOf })` → `{ balance, lots, lines: [{ day, kind, points, balance, reason, reasonEn }] }`.
    #[wasm_bindgen(js_name = pointsLedger)]
    pub fn points_ledger(&self, id: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let options: AsOfOptions = self::options("options", options)?;
        to_js(&self.0.points_ledger(id, options.as_of.as_deref()).map_err(js_error)?)
    }

    /// Members whose imported points balance differs from the ledger, largest first:
    /// `ws.pointsReconcile({ offset: 0, limit: 50 })` → `{ total, offset, rows: [{ memberId, imported, ledger, difference }] }`.
    #[wasm_bindgen(js_name = pointsReconcile)]
    pub fn points_reconcile(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: crate::loyalty::points::PageQuery = options("query", query)?;
        to_js(&self.0.points_reconcile(&query).map_err(js_error)?)
    }

    /// Members with points expiring within `rules.points.expiringWithinDays`, most first:
    /// `ws.pointsExpiring({ asOf: "2026-12-15", limit: 20 })` → `{ total, offset, rows }`.
    #[wasm_bindgen(js_name = pointsExpiring)]
    pub fn points_expiring(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let query: crate::loyalty::points::PageQuery = options("query", query)?;
        to_js(&self.0.points_expiring(&query).map_err(js_error)?)
    }

    /// The recommended crowds that ship built in: `Workspace.recommendedCrowds()`
    /// → `[{ key, name, nameEn, expr }]`; pass `expr` as `members({ crowd })`.
    #[wasm_bindgen(js_name = recommendedCrowds)]
    pub fn recommended_crowds() -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Crowd {
            key: &'static str,
            name: &'static str,
            name_en: &'static str,
            expr: &'static str,
        }
        let list: Vec<Crowd> = crate::analytics::condition::RECOMMENDED
            .iter()
            .map(|&(key, name, name_en, expr)| Crowd { key, name, name_en, expr })
            .collect();
        to_js(&list)
    }

    /// The fields of the crowd language: `Workspace.crowdFields()` → `[{ name, meaning }]`.
    #[wasm_bindgen(js_name = crowdFields)]
    pub fn crowd_fields() -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Field {
            name: &'static str,
            meaning: &'static str,
        }
        let list: Vec<Field> =
            crate::analytics::condition::FIELDS.iter().map(|&(name, meaning)| Field { name, meaning }).collect();
        to_js(&list)
    }

    /// A fair draw (DOMAIN §13): `Workspace.draw({ kind: "lottery", entrants, winners, seed? })`,
    /// `{ kind: "firstN", requests: [[id, ms], …], n, seed? }` or
    /// `{ kind: "redPackets", totalFen, count, minFen?, seed? }`. Without `seed` a
    /// secure random one is drawn; the result always carries the seed (hex) so
    /// anyone can re-check the draw.
    pub fn draw(request: JsValue) -> Result<JsValue, JsValue> {
        use crate::loyalty::draws::{MIN_PACKET_FEN, Seed, first_n, lottery, red_packets};
        // The request's fields by kind. `kind` is read first and taken out, so
        // each kind is a plain struct (an internally tagged enum would buffer
        // the request in serde's `Content` first: more code, same errors).
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Lottery {
            entrants: Vec<String>,
            winners: usize,
            seed: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FirstN {
            requests: Vec<(String, i64)>,
            n: usize,
            seed: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct RedPackets {
            total_fen: i64,
            count: usize,
            min_fen: Option<i64>,
            seed: Option<String>,
        }
        let seed = |hex: &Option<String>| match hex {
            Some(h) => Seed::from_hex(h),
            None => Seed::random(),
        };
        let bad = |e| bad_options("request", e);
        let mut request = match request.is_undefined() || request.is_null() {
            true => serde_json::Value::Null,
            false => crate::json::parse(&json_text("request", &request)?).map_err(bad)?,
        };
        // The rest of the fields without `kind` (filtered rather than removed:
        // no map-removal code in the wasm for this one call).
        let mut kind = None;
        if let serde_json::Value::Object(fields) = &mut request {
            for (key, value) in std::mem::take(fields) {
                match key.as_str() {
                    "kind" => kind = Some(value),
                    _ => drop(fields.insert(key, value)),
                }
            }
        }
        match kind.as_ref().and_then(serde_json::Value::as_str) {
            Some("lottery") => {
                let r: Lottery = crate::json::from_value(&request).map_err(bad)?;
                to_js(&lottery(&r.entrants, r.winners, seed(&r.seed).map_err(js_error)?).map_err(js_error)?)
            }
            Some("firstN") => {
                let r: FirstN = crate::json::from_value(&request).map_err(bad)?;
                to_js(&first_n(&r.requests, r.n, seed(&r.seed).map_err(js_error)?))
            }
            Some("redPackets") => {
                let r: RedPackets = crate::json::from_value(&request).map_err(bad)?;
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Packets {
                    seed: String,
                    packets_fen: Vec<i64>,
                }
                let seed = seed(&r.seed).map_err(js_error)?;
                let packets =
                    red_packets(r.total_fen, r.count, r.min_fen.unwrap_or(MIN_PACKET_FEN), seed).map_err(js_error)?;
                to_js(&Packets { seed: seed.to_hex(), packets_fen: packets })
            }
            _ => Err(error(
                "BAD_OPTIONS",
                "draw: give { kind: \"lottery\" | \"firstN\" | \"redPackets\", … }",
                Some("kind"),
                None,
            )),
        }
    }

    /// The demo store's files: `Workspace.demoFiles({ orders: 1_000_000 }).orders` → Uint8Array.
    /// `files: ["orders"]` writes only those (keys `orders`, `members`, `orderLines`, `events`):
    /// a 5M-order store's lines and events would not fit in wasm memory beside its orders.
    #[cfg(feature = "demo")]
    #[wasm_bindgen(js_name = demoFiles)]
    pub fn demo_files(options: JsValue) -> Result<JsValue, JsValue> {
        use crate::demo::{write_events, write_members, write_order_lines, write_orders};
        let (options, files) = demo_options(options)?;
        let out = js_sys::Object::new();
        for file in files.unwrap_or_else(|| DemoFile::ALL.to_vec()) {
            let mut bytes = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = match file {
                DemoFile::Orders => write_orders(&options, &mut bytes),
                DemoFile::Members => write_members(&options, &mut bytes),
                DemoFile::OrderLines => write_order_lines(&options, &mut bytes),
                DemoFile::Events => write_events(&options, &mut bytes),
            };
            Reflect::set(&out, &JsValue::from_str(file.key()), &Uint8Array::from(&bytes[..]))?;
        }
        Ok(out.into())
    }
}

/// `texts` as a JS array of strings. Made as one string split at its
/// newlines when no text holds one (one crossing, not two per string: 60 ms
/// less and about 8 MiB less of the JS heap's peak for 440,000 member ids),
/// else string by string.
fn strings(texts: &crate::model::Texts) -> js_sys::Array {
    if texts.is_empty() || texts.iter().any(|t| t.contains('\n')) {
        return texts.iter().map(JsValue::from_str).collect();
    }
    let mut joined = String::with_capacity(texts.iter().map(|t| t.len() + 1).sum());
    for t in texts.iter() {
        joined.push_str(t);
        joined.push('\n');
    }
    joined.pop();
    js_sys::JsString::from(joined).split("\n")
}

/// `{ asOf? }`, the options of analyze, rfmColumns and the points reports.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AsOfOptions {
    as_of: Option<String>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

/// One of the demo store's files.
#[cfg(feature = "demo")]
#[derive(Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
enum DemoFile {
    Orders,
    Members,
    OrderLines,
    Events,
}

#[cfg(feature = "demo")]
impl DemoFile {
    const ALL: [DemoFile; 4] = [DemoFile::Orders, DemoFile::Members, DemoFile::OrderLines, DemoFile::Events];

    fn key(self) -> &'static str {
        match self {
            DemoFile::Orders => "orders",
            DemoFile::Members => "members",
            DemoFile::OrderLines => "orderLines",
            DemoFile::Events => "events",
        }
    }
}

/// Demo options: whole numbers only (a negative or fractional count is an
/// error naming the field); sizes beyond the generator's range are clamped
/// as `demo::DemoOptions` documents; `files` picks some of `demoFiles`.
#[cfg(feature = "demo")]
fn demo_options(value: JsValue) -> Result<(DemoOptions, Option<Vec<DemoFile>>), JsValue> {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Js {
        seed: Option<u64>,
        members: Option<usize>,
        orders: Option<usize>,
        files: Option<Vec<DemoFile>>,
    }
    let js: Js = options("options", value)?;
    let options =
        DemoOptions { seed: js.seed.unwrap_or(DemoOptions::default().seed), members: js.members, orders: js.orders };
    Ok((options, js.files))
}

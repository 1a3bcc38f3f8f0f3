//! Integration tests: the public API on the fixtures in `tests/data`
//! (see tests/data/README.md for what each fixture holds and the answers
//! worked out by hand).

use member_analytics::Workspace;
use member_analytics::analytics::query::MembersQuery;
use member_analytics::export::ExportOptions;
use member_analytics::ingest::{Ingest, Kind, LoadOptions, read};
use member_analytics::loyalty::points::PageQuery;
use proptest::prelude::*;

#[cfg(feature = "xlsx")]
mod xlsx;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn opts(name: &str) -> LoadOptions {
    LoadOptions { file_name: Some(name.into()), ..Default::default() }
}

/// (id, R, F, M in fen, [r, f, m] scores, class, value group, grade)
type Expected = (&'static str, Option<(u32, u32, i64, [u8; 3], &'static str)>, &'static str, &'static str);

/// The answers for the orders fixtures, worked out by hand in tests/data/README.md.
const EXPECTED: &[Expected] = &[
    ("M001", Some((1, 3, 127_980, [4, 4, 4], "important_value")), "value", "important"),
    ("M002", Some((52, 1, 10_000, [2, 1, 3], "general_develop")), "potential", "potential"),
    ("M003", Some((153, 1, 4_560, [1, 1, 1], "general_win_back")), "churned", "ordinary"),
    ("M004", None, "churned", "ordinary"),
    ("M005", Some((27, 1, 6_600, [3, 1, 2], "general_develop")), "potential", "potential"),
];

fn check_orders_fixture(file: &str) {
    let mut ws = Workspace::new();
    let report = ws.load(Kind::Orders, &fixture(file), &opts(file)).unwrap();
    assert_eq!((report.rows_read, report.rows_used, report.rejected.len()), (12, 9, 3), "{file}");
    assert_eq!(report.not_purchases, 2);
    assert_eq!(report.members, 5);
    let rejected: Vec<(u64, &str, &str, &str)> =
        report.rejected.iter().map(|r| (r.row, r.column.as_str(), r.value.as_str(), r.code)).collect();
    let (member, date, amount) = if file.ends_with(".tsv") {
        ("customer_id", "order_date", "revenue")
    } else {
        ("会员卡号", "下单时间", "实付金额")
    };
    assert_eq!(
        rejected,
        vec![(10, date, "2026-13-01 10:00", "bad_date"), (11, member, "", "missing"), (12, amount, "abc", "bad_money")]
    );
    assert_eq!(report.ignored_columns.len(), 1);
    assert_eq!(report.mapping.get("member_id").map(String::as_str), Some(member));
    assert_eq!(report.first_date.as_deref(), Some("2025-03-01"));
    assert_eq!(report.last_date.as_deref(), Some("2026-10-31"));

    let summary = ws.analyze(None).unwrap().clone();
    assert_eq!(summary.as_of, "2026-11-01");
    assert_eq!(summary.window_start, "2025-11-01");
    assert_eq!((summary.members, summary.buyers_in_window, summary.orders_in_window), (5, 4, 6));
    assert_eq!(summary.revenue_fen, 149_140);
    assert_eq!(summary.average_order_value_fen, 24_857); // 149140 / 6 = 24856.67
    assert_eq!(summary.repurchase_rate, 0.25);
    assert!((summary.top20_revenue_share - 127_980.0 / 149_140.0).abs() < 1e-12);
    assert_eq!(summary.means.m_fen, 37_285.0);
    for (id, rfm, group, grade) in EXPECTED {
        let row = ws.member(id).unwrap();
        let got = row.r.map(|r| {
            let s = [row.r_score.unwrap(), row.f_score.unwrap(), row.m_score.unwrap()];
            let class = row.rfm_class.map(|c| c.key()).unwrap();
            (r, row.f.unwrap(), row.m_fen.unwrap(), s, class)
        });
        assert_eq!(got, *rfm, "{file} {id}");
        assert_eq!(row.value_group.map(|g| g.key()), Some(*group), "{file} {id}");
        assert_eq!(row.grade.key(), *grade, "{file} {id}");
    }
}

#[test]
fn gbk_crlf_fixture_with_chinese_headers_quoted_newlines_refunds_and_three_broken_rows() {
    let report = read(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("orders_gbk_crlf.csv")).unwrap().report;
    assert_eq!(report.encoding, "GBK/GB18030");
    assert_eq!(report.ignored_columns, vec!["备注"]);
    check_orders_fixture("orders_gbk_crlf.csv");
}

#[test]
fn the_same_orders_in_utf8_bom_and_utf16_tsv_with_english_headers() {
    let report = read(Kind::Orders, &fixture("orders_utf16le.tsv"), &opts("t")).unwrap().report;
    assert_eq!((report.encoding, report.delimiter.as_str()), ("UTF-16LE", "\t"));
    check_orders_fixture("orders_utf8_bom.csv");
    check_orders_fixture("orders_utf16le.tsv");
}

#[test]
fn every_date_and_money_form() {
    let mut ws = Workspace::new();
    let report = ws.load(Kind::Orders, &fixture("orders_gb18030_forms.csv"), &opts("forms")).unwrap();
    assert_eq!((report.rows_read, report.rows_used), (6, 6), "{:?}", report.rejected);
    ws.analyze(None).unwrap();
    let m = ws.member("F1").unwrap();
    // Four purchases of 1234.50, 1234.50, 1234.50, 33.00 and two refunds of 12.00 and 1.00, all on 2026-03-05.
    assert_eq!((m.r, m.f, m.m_fen, m.max_order_fen), (Some(1), Some(4), Some(372_350), Some(123_450)));
}

#[test]
fn members_file_adds_prospects_names_and_masked_phones() {
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    let report = ws.load(Kind::Members, &fixture("members_utf8.csv"), &opts("m")).unwrap();
    assert_eq!((report.rows_read, report.rows_used), (5, 4));
    assert_eq!((report.rejected[0].row, report.rejected[0].column.as_str()), (6, "注册时间"));
    assert!(report.ignored_columns.is_empty(), "性别 is the gender column");
    let summary = ws.analyze(None).unwrap().clone();
    // M001–M003 and M006 from the members file, M004 and M005 from orders only.
    assert_eq!((summary.members, summary.prospects), (6, 1));
    assert_eq!(summary.grades.iter().find(|g| g.key == "potential").map(|g| g.members), Some(3));
    let m1 = ws.member("M001").unwrap();
    assert_eq!((m1.phone.as_str(), m1.name.as_str()), ("138****1234", "张伟"));
    let m6 = ws.member("M006").unwrap();
    assert_eq!((m6.value_group, m6.r, m6.grade.key()), (None, None, "potential"));
    assert_eq!(ws.member("nobody").unwrap_err().code(), "UNKNOWN_MEMBER");
}

#[test]
fn member_pages_filter_and_sort() {
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.analyze(None).unwrap();
    let ids = |q: MembersQuery| ws.members(&q).unwrap().rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(MembersQuery::default()), vec!["M001", "M002", "M005", "M003", "M004"]);
    let by_r = MembersQuery { sort: Some("r_asc".into()), ..Default::default() };
    assert_eq!(ids(by_r), vec!["M001", "M005", "M002", "M003", "M004"]);
    let potential =
        MembersQuery { value_group: Some("potential".into()), sort: Some("id_desc".into()), ..Default::default() };
    assert_eq!(ids(potential), vec!["M005", "M002"]);
    let page = ws.members(&MembersQuery { offset: Some(1), limit: Some(2), ..Default::default() }).unwrap();
    assert_eq!((page.total, page.rows.len(), page.rows[0].id.as_str()), (5, 2, "M002"));
    let bad = MembersQuery { sort: Some("m_sideways".into()), ..Default::default() };
    assert_eq!(ws.members(&bad).unwrap_err().field(), Some("sort"));
    let bad = MembersQuery { rfm_class: Some("vip".into()), ..Default::default() };
    assert_eq!(ws.members(&bad).unwrap_err().code(), "BAD_OPTIONS");
}

#[test]
fn export_is_excel_ready_masked_and_formula_safe() {
    let mut ws = Workspace::new();
    assert_eq!(ws.export_members(&ExportOptions::default()).unwrap_err().code(), "NOT_ANALYZED");
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.load(Kind::Members, &fixture("members_utf8.csv"), &opts("m")).unwrap();
    ws.analyze(None).unwrap();
    let bytes = ws.export_members(&ExportOptions::default()).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 7); // header + 6 members
    assert!(lines[0].starts_with("会员ID,手机号,姓名"));
    assert_eq!(
        lines[1],
        "M001,138****1234,张伟,1,3,1279.80,4,4,4,重要价值客户,价值用户,重要会员,426.60,1234.50,2026-10-31,活跃,"
    );
    assert!(lines[0].ends_with(",最近消费日期,生命周期,偏好渠道"), "{}", lines[0]);
    assert!(lines.iter().any(|l| l.starts_with("M002,139****4321,\"'=HYPERLINK(\"\"http://x\"\")\"")), "{text}");
    let total: i64 = lines[1..]
        .iter()
        .filter_map(|l| l.split(',').nth(5).filter(|m| !m.is_empty()))
        .map(|m| member_analytics::ingest::fields::parse_money(m).unwrap())
        .sum();
    assert_eq!(total, 149_140);
    let en = ExportOptions { lang: Some("en".into()), mask_phones: Some(false), ..Default::default() };
    let text = String::from_utf8(ws.export_members(&en).unwrap()).unwrap();
    assert!(text.contains("M001,13812341234,张伟,1,3,1279.80,4,4,4,important_value,value,important"), "{text}");
}

#[test]
fn analysis_date_and_rules_change_the_answer() {
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    // As of 2026-10-01 the orders of that day and later do not exist yet.
    let s = ws.analyze(Some("2026-10-01")).unwrap().clone();
    assert_eq!((s.buyers_in_window, s.orders_in_window, s.revenue_fen), (2, 2, 14_560));
    assert_eq!(ws.analyze(Some("someday")).unwrap_err().field(), Some("asOf"));
    ws.set_rules(r#"{"rfm": {"scoring": "thresholds", "thresholds": {"r": [7, 30, 60, 90], "f": [2, 3, 5, 8], "m": [50, 100, 500, 1000]}}}"#)
        .unwrap();
    ws.analyze(None).unwrap();
    let m1 = ws.member("M001").unwrap();
    assert_eq!((m1.r_score, m1.f_score, m1.m_score), (Some(5), Some(3), Some(5)));
    assert_eq!(ws.set_rules(r#"{"rfm": {"windowDays": "a year"}}"#).unwrap_err().field(), Some("rfm.windowDays"));
}

#[test]
fn demo_store_is_analysed_with_every_group_present() {
    let mut ws = Workspace::new();
    let (orders, members, ..) = ws.load_demo(&Default::default()).unwrap();
    assert_eq!(orders.rows_used + orders.rejected.len() as u64, orders.rows_read);
    assert!(orders.rejected.is_empty() && members.rejected.is_empty());
    let summary = ws.analyze(None).unwrap().clone();
    assert_eq!(summary.as_of, "2026-11-01");
    for group in &summary.value_groups {
        assert!(group.members > 0, "empty value group {}", group.key);
    }
    for class in &summary.classes {
        assert!(class.members > 0, "empty class {}", class.key);
    }
    assert!(summary.prospects > 0);
}

#[test]
fn unusable_files_say_why() {
    let mut ws = Workspace::new();
    assert_eq!(ws.analyze(None).unwrap_err().code(), "NO_DATA");
    assert_eq!(ws.members(&MembersQuery::default()).unwrap_err().code(), "NOT_ANALYZED");
    for (bytes, code) in [
        (&b""[..], "EMPTY_FILE"),
        (b"PK\x03\x04\x14\x00\x06\x00", if cfg!(feature = "xlsx") { "BAD_WORKBOOK" } else { "UNSUPPORTED_FORMAT" }),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00", "UNSUPPORTED_FORMAT"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "BINARY_FILE"),
        ("姓名,金额\n张三,1\n".as_bytes(), "MISSING_COLUMN"),
    ] {
        assert_eq!(ws.load(Kind::Orders, bytes, &opts("x")).unwrap_err().code(), code);
    }
    let mapping = LoadOptions { mapping: [("member_id".into(), "卡号".into())].into(), ..Default::default() };
    let csv = "卡号,时间,金额\nA,2026-01-01,1\n";
    assert_eq!(ws.load(Kind::Orders, csv.as_bytes(), &mapping).unwrap().rows_used, 1);
    let bad = LoadOptions { mapping: [("member_id".into(), "卡".into())].into(), ..Default::default() };
    assert_eq!(ws.load(Kind::Orders, csv.as_bytes(), &bad).unwrap_err().code(), "BAD_MAPPING");
}

#[test]
fn streaming_loads_match_whole_loads() {
    let bytes = fixture("orders_gbk_crlf.csv");
    let whole = read(Kind::Orders, &bytes, &opts("o")).unwrap().report;
    let mut ws = Workspace::new();
    ws.begin_load(Kind::Orders, opts("o")).unwrap();
    assert_eq!(ws.begin_load(Kind::Orders, opts("o")).unwrap_err().code(), "LOAD_IN_PROGRESS");
    for chunk in bytes.chunks(7) {
        ws.push(chunk).unwrap();
    }
    assert_eq!(ws.finish_load().unwrap(), whole);
    assert_eq!(ws.finish_load().unwrap_err().code(), "NO_LOAD_IN_PROGRESS");
    // A cancelled load keeps nothing and leaves the earlier data in place.
    ws.begin_load(Kind::Orders, opts("o")).unwrap();
    ws.push(b"member_id,date,amount\nZ,2026-01-01,1\n").unwrap();
    assert!(ws.cancel_load());
    assert!(!ws.cancel_load());
    ws.analyze(None).unwrap();
    assert!(ws.member("Z").is_err() && ws.member("M001").is_ok());
}

fn corrupt(bytes: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for &(at, op, byte) in edits {
        if out.is_empty() {
            break;
        }
        let at = at % out.len();
        match op % 3 {
            0 => out[at] = byte,
            1 => out.insert(at, byte),
            _ => {
                out.remove(at);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the corruption and however the bytes are chunked, the load
    /// either fails with a coded error or accounts for every row.
    #[test]
    fn used_plus_rejected_equals_read_under_random_corruption(
        file in 0usize..8,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..40),
        chunk in 1usize..300,
    ) {
        let (name, kind) = [
            ("orders_gbk_crlf.csv", Kind::Orders),
            ("orders_utf8_bom.csv", Kind::Orders),
            ("orders_utf16le.tsv", Kind::Orders),
            ("members_utf8.csv", Kind::Members),
            ("members_all_fields.csv", Kind::Members),
            ("order_lines_gbk.csv", Kind::OrderLines),
            ("events_utf8.csv", Kind::Events),
            ("events_utf16le.tsv", Kind::Events),
        ][file];
        let bytes = corrupt(&fixture(name), &edits);
        let mut ingest = Ingest::new(kind, opts(name)).unwrap();
        let result = bytes.chunks(chunk).try_for_each(|c| ingest.push(c)).and_then(|()| ingest.finish());
        match result {
            Ok(loaded) => {
                let r = loaded.report;
                prop_assert_eq!(r.rows_used + r.rejected.len() as u64, r.rows_read);
                let whole = read(kind, &bytes, &opts(name)).unwrap();
                prop_assert_eq!(whole.report, r);
                prop_assert_eq!(whole.table, loaded.table);
            }
            Err(e) => prop_assert!(
                ["EMPTY_FILE", "BINARY_FILE", "MISSING_COLUMN", "UNSUPPORTED_FORMAT"].contains(&e.code()),
                "unexpected {}", e
            ),
        }
    }
}

#[test]
fn readme_rules_block_is_the_default_rules() {
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let block = readme.split("```json rules\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap();
    assert_eq!(member_analytics::Rules::from_json(block).unwrap(), member_analytics::Rules::default());
    fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let serde_json::Value::Object(map) = v {
            for (k, v) in map {
                paths(v, &format!("{prefix}.{k}"), out);
            }
        } else {
            out.push(prefix.to_string());
        }
    }
    let (mut listed, mut all) = (Vec::new(), Vec::new());
    paths(&serde_json::from_str(block).unwrap(), "", &mut listed);
    paths(&serde_json::from_str(&member_analytics::Rules::default().to_json()).unwrap(), "", &mut all);
    assert_eq!(listed, all, "README lists every rule with its default");
}

#[test]
fn rfm_alone_agrees_with_the_analysis() {
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    // Without an analysis: the default date, the day after the latest order.
    let c = ws.rfm(None).unwrap();
    assert_eq!(member_analytics::model::format_day(c.as_of), "2026-11-01");
    ws.analyze(None).unwrap();
    assert_eq!(ws.rfm(None).unwrap(), c);
    let a = ws.analysis().unwrap();
    assert_eq!(c.ids.names(), a.ids());
    let m1 = a.find("M001").unwrap();
    let m4 = a.find("M004").unwrap();
    assert_eq!((c.r[m1], c.f[m1], c.m_fen[m1], &c.scores[3 * m1..3 * m1 + 3]), (1, 3, 127_980.0, &[4, 4, 4][..]));
    assert_eq!((c.r[m4], c.f[m4], c.m_fen[m4], &c.scores[3 * m4..3 * m4 + 3]), (0, 0, 0.0, &[0, 0, 0][..]));
    assert_eq!(c.m_fen.iter().sum::<f64>(), 149_140.0);
    // Another date: the same as the analysis on that date.
    let earlier = ws.rfm(Some("2026-10-01")).unwrap();
    ws.analyze(Some("2026-10-01")).unwrap();
    let a = ws.analysis().unwrap();
    for (i, p) in a.profiles.iter().enumerate() {
        let want = p.rfm.map_or((0, 0, 0.0, [0; 3]), |x| (x.r, x.f, x.m as f64, x.scores));
        let got = (earlier.r[i], earlier.f[i], earlier.m_fen[i], [0, 1, 2].map(|k| earlier.scores[3 * i + k]));
        assert_eq!(got, want, "{}", a.ids()[i]);
    }
    assert_eq!(Workspace::new().rfm(None).unwrap_err().code(), "NO_DATA");
    assert_eq!(ws.rfm(Some("soon")).unwrap_err().field(), Some("asOf"));
}

#[test]
fn lifecycle_stages_and_moves_on_the_fixture() {
    // Worked by hand: as of 2026-11-01 the period starts 2026-10-02.
    // M001 first bought 10-01 (new on 10-02) and last 10-31: new → active.
    // M002 last bought 09-10: active on 10-02 (22 days), dormant now (52 days).
    // M003 (06-01) and M004 (2025-03-01) were and are churned.
    // M005 first bought 10-05, with no registration date: prospect → active.
    use member_analytics::analytics::{Lifecycle, Move};
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    let s = ws.analyze(None).unwrap().clone();
    let count = |key: &str| s.lifecycle.iter().find(|c| c.key == key).map(|c| c.members);
    assert_eq!(
        [count("prospect"), count("new"), count("active"), count("dormant"), count("churned")],
        [Some(0), Some(0), Some(2), Some(1), Some(2)]
    );
    assert_eq!(s.lifecycle_since, "2026-10-02");
    use Lifecycle::*;
    assert_eq!(
        s.lifecycle_moves,
        vec![
            Move { from: Some(Prospect), to: Active, members: 1 },
            Move { from: Some(New), to: Active, members: 1 },
            Move { from: Some(Active), to: Dormant, members: 1 },
            Move { from: Some(Churned), to: Churned, members: 2 },
        ]
    );
    assert_eq!(ws.member("M002").unwrap().lifecycle, Some(Dormant));
    let q = MembersQuery { lifecycle: Some("churned".into()), sort: Some("id_asc".into()), ..Default::default() };
    assert_eq!(ws.members(&q).unwrap().rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["M003", "M004"]);
}

#[test]
fn member_levels_on_the_fixture() {
    // Worked by hand (last day with data 2026-10-31, review 2026-01-01):
    // M001 paid 1234.50 + 33.00 + 12.30 since October: growth 1279 → silver, 721 to gold.
    // M002's refunded order does not count: growth 100 → basic, 400 to silver.
    // M004's 200 yuan of March 2025 left the 12 months: growth 0.
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    let s = ws.analyze(None).unwrap().clone();
    let level = |id: &str| {
        let m = ws.member(id).unwrap();
        (m.level, m.growth, m.to_next_level)
    };
    assert_eq!(level("M001"), ("silver".to_string(), 1279, Some(721)));
    assert_eq!(level("M002"), ("basic".to_string(), 100, Some(400)));
    assert_eq!(level("M004"), ("basic".to_string(), 0, Some(500)));
    let counts: Vec<(String, u64)> = s.levels.iter().map(|c| (c.key.clone(), c.members)).collect();
    assert_eq!(counts[..2], [("basic".to_string(), 4), ("silver".to_string(), 1)]);
    let q = MembersQuery { level: Some("silver".into()), ..Default::default() };
    assert_eq!(ws.members(&q).unwrap().total, 1);
    let bad = MembersQuery { level: Some("bronze".into()), ..Default::default() };
    assert_eq!(ws.members(&bad).unwrap_err().field(), Some("level"));
}

#[test]
fn crowds_in_the_condition_language() {
    // Hand-worked on the GBK fixture: M002 dormant (¥100), M003 churned (¥45.60),
    // M004 churned without a purchase in the window (no m: never matches m >= 40).
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.analyze(None).unwrap();
    let ids = |crowd: &str| {
        let q = MembersQuery { crowd: Some(crowd.into()), sort: Some("id_asc".into()), ..Default::default() };
        ws.members(&q).unwrap().rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(ids("lifecycle in (dormant, churned) and m >= 40"), vec!["M002", "M003"]);
    assert_eq!(ids("lifecycle in (dormant, churned) and not m >= 40"), vec!["M004"]);
    assert_eq!(ids("r <= 27 or valueGroup = \"value\""), vec!["M001", "M005"]);
    assert_eq!(ids("(f = 1 且 m < 50) 或 maxOrder >= 1000"), vec!["M001", "M003"]);
    let bad = MembersQuery { crowd: Some("m >= ".into()), ..Default::default() };
    assert_eq!(ws.members(&bad).unwrap_err().field(), Some("crowd"));
}

#[test]
fn every_condition_field_has_values_on_the_demo() {
    use member_analytics::analytics::condition::FIELDS;
    use member_analytics::analytics::query::{View, field_value};
    let mut ws = Workspace::new();
    ws.load_demo(&Default::default()).unwrap();
    ws.analyze(None).unwrap();
    ws.predict().unwrap();
    let (analysis, prediction) = (ws.analysis().unwrap(), ws.prediction());
    let book = member_analytics::loyalty::points::Book::new(ws.data(), analysis, ws.rules(), analysis.as_of);
    let view = View { analysis, prediction, data: ws.data(), levels: &ws.rules().levels.levels, points: Some(&book) };
    // The demo's members file has no member-type column; `memberType` is
    // covered by the playbook's fixture (src/loyalty/playbook.rs, E1).
    for (name, _) in FIELDS.iter().filter(|(name, _)| *name != "memberType") {
        let some = (0..analysis.profiles.len()).any(|i| field_value(&view, i, name).is_some());
        assert!(some, "no member has a value for {name}");
    }
    for (key, _, _, expr) in member_analytics::analytics::condition::RECOMMENDED {
        // The demo's points expire at the year end, 61 days after its
        // analysis date: that crowd fills in December.
        if *key == "points_expiring" {
            ws.analyze(Some("2026-12-05")).unwrap();
        }
        let q = MembersQuery { crowd: Some(expr.to_string()), ..Default::default() };
        let total = ws.members(&q).unwrap().total;
        assert!(total > 0, "recommended crowd {key} is empty on the demo");
    }
}

#[test]
fn behaviour_tags_carry_their_evidence() {
    // Worked by hand: average orders of the scored members are 426.60, 100.00, 45.60 and
    // 66.00 yuan; the store median (the upper middle) is 100.00. M001 bought 3 times with an
    // average of 426.60 ≥ 2 × 100.00: a stockpiler (屯货型). M002 sits at the median: not.
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    let s = ws.analyze(None).unwrap().clone();
    let m1 = ws.member("M001").unwrap();
    assert_eq!(m1.tags.len(), 1);
    let t = &m1.tags[0];
    assert_eq!((t.tag.as_str(), t.label.as_str(), t.family, t.source), ("stockpiler", "屯货型", "优惠敏感", "auto"));
    let evidence: Vec<(&str, Option<f64>, Option<f64>)> =
        t.evidence.iter().map(|e| (e.metric.as_str(), e.value.as_f64(), e.threshold)).collect();
    assert_eq!(evidence, vec![("purchases", Some(3.0), Some(3.0)), ("aovToStoreMedian", Some(4.266), Some(2.0))]);
    assert!(t.levers.contains(&"储值卡"));
    assert!(ws.member("M002").unwrap().tags.is_empty());
    assert_eq!(s.tags.iter().find(|c| c.key == "stockpiler").map(|c| c.members), Some(1));
    let q = MembersQuery { crowd: Some("tag = stockpiler".into()), ..Default::default() };
    assert_eq!(ws.members(&q).unwrap().rows[0].id, "M001");
}

/// Loaded in chunks of each of `sizes` bytes, fixture `name` gives the
/// same report and the same table as loaded whole.
fn same_in_chunks(kind: Kind, name: &str, sizes: &[usize]) {
    let whole = read(kind, &fixture(name), &opts(name)).unwrap();
    for &size in sizes {
        let mut ingest = Ingest::new(kind, opts(name)).unwrap();
        for chunk in fixture(name).chunks(size) {
            ingest.push(chunk).unwrap();
        }
        let chunked = ingest.finish().unwrap();
        assert_eq!(chunked.report, whole.report, "{name}, chunks of {size}");
        assert_eq!(chunked.table, whole.table, "{name}, chunks of {size}");
    }
}

/// Rows read and used, every row accounted for, and the rejections as
/// (row, column, value, code).
fn accounted(
    report: &member_analytics::ingest::ImportReport,
    read_used: (u64, u64),
    rejected: &[(u64, &str, &str, &str)],
) {
    assert_eq!((report.rows_read, report.rows_used), read_used, "{}", report.file_name);
    assert_eq!(report.rows_used + report.rejected.len() as u64, report.rows_read);
    let got: Vec<(u64, &str, &str, &str)> =
        report.rejected.iter().map(|r| (r.row, r.column.as_str(), r.value.as_str(), r.code)).collect();
    assert_eq!(got, rejected, "{}", report.file_name);
}

#[test]
fn order_lines_gbk_fixture_with_chinese_headers_and_five_broken_rows() {
    use member_analytics::ingest::Table;
    let name = "order_lines_gbk.csv";
    let loaded = read(Kind::parse("order_lines").unwrap(), &fixture(name), &opts(name)).unwrap();
    let report = &loaded.report;
    assert_eq!((report.dataset, report.encoding, report.delimiter.as_str()), ("order_lines", "GBK/GB18030", ","));
    accounted(
        report,
        (15, 10),
        &[
            (12, "数量", "1.5", "bad_quantity"),
            (13, "订单号", "", "missing"),
            (14, "是否特价", "也许", "bad_boolean"),
            (15, "单价", "", "missing"),
            (16, "单价", "3.333", "bad_money"),
        ],
    );
    assert_eq!(report.ignored_columns, vec!["备注"]);
    assert_eq!(report.mapping.get("amount").map(String::as_str), Some("小计"));
    assert_eq!((report.members, report.first_date.as_deref()), (0, None));
    let Table::OrderLines(lines) = &loaded.table else { panic!("not order lines") };
    let order_ids: Vec<&str> = lines.order.iter().map(|&o| lines.orders.name(o)).collect();
    assert_eq!(order_ids, ["D001", "D001", "D002", "D003", "D003", "D004", "D005", "D008", "D012", "D999"]);
    assert_eq!(lines.qty, [1, 2, 3, 1, -1, 1, 2, 1, 2, 1]);
    // D002: no line amount, so 3 × 11.00; D004: no unit price, so 120.00 ÷ 1.
    assert_eq!(lines.amount, [100_000, 23_450, 3_300, 8_800, -8_800, 12_000, 4_560, 1_230, 6_600, 500]);
    assert_eq!(lines.unit_price, [100_000, 11_725, 1_100, 8_800, 8_800, 12_000, 2_280, 1_230, 3_300, 500]);
    let special = lines.special_price.as_ref().unwrap();
    assert_eq!(special, &[false, true, true, false, false, false, true, true, false, false]);
    let gift = lines.gift_wrap.as_ref().unwrap();
    assert_eq!(gift, &[true, false, false, false, false, false, false, false, true, false]);
    let (sku, name_col, category) =
        (lines.sku.as_ref().unwrap(), lines.name.as_ref().unwrap(), lines.category.as_ref().unwrap());
    assert_eq!((sku.get(0), name_col.get(0), category.get(0)), ("SKU-001", "羊绒围巾, 灰色", "服饰"));
    assert_eq!(category.get(9), "配件");

    same_in_chunks(Kind::OrderLines, name, &[1, 2, 7, 64, 4096]);
}

#[test]
fn order_lines_join_their_orders_at_analysis_in_any_load_order() {
    let mut ws = Workspace::new();
    // Lines first: nothing is rejected for want of an orders file.
    let lines_report = ws.load(Kind::OrderLines, &fixture("order_lines_gbk.csv"), &opts("l")).unwrap();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    assert_eq!(lines_report.rows_used, 10);
    let data = ws.data();
    let (orders, lines) = (data.orders.as_ref().unwrap(), data.order_lines.as_ref().unwrap());
    assert_eq!(orders.order_id.len(), orders.len());
    assert_eq!(orders.order_id.get(0).to_string(), "D001");
    let rows = lines.order_rows(orders);
    let order_of = |id: &str| rows[lines.orders.get(id).unwrap() as usize];
    assert_eq!(order_of("D999"), None, "D999 is in no orders file: kept, unmatched");
    // Each matched order's lines add up to what the order file says was paid.
    for id in ["D001", "D002", "D005", "D008", "D012"] {
        let row = order_of(id).unwrap() as usize;
        let k = lines.orders.get(id).unwrap();
        let sum: i64 = (0..lines.len()).filter(|&l| lines.order[l] == k).map(|l| lines.amount[l]).sum();
        assert_eq!((orders.order_id.get(row).to_string(), sum), (id.to_string(), orders.net.at(row)), "{id}");
    }
    // A lines file without any price column cannot be used.
    let e = ws.load(Kind::OrderLines, "订单号,数量\nD1,1\n".as_bytes(), &opts("x")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("MISSING_COLUMN", Some("unit_price")));
    assert!(e.to_string().contains("单价（或小计）"), "{e}");
}

#[test]
fn events_in_english_utf8_and_chinese_utf16_tsv_are_the_same_events() {
    use member_analytics::ingest::Table;
    use member_analytics::model::EventType;
    let en = read(Kind::parse("events").unwrap(), &fixture("events_utf8.csv"), &opts("events_utf8.csv")).unwrap();
    let zh = read(Kind::Events, &fixture("events_utf16le.tsv"), &opts("events_utf16le.tsv")).unwrap();
    assert_eq!((en.report.encoding, en.report.delimiter.as_str()), ("UTF-8", ","));
    assert_eq!((zh.report.encoding, zh.report.delimiter.as_str()), ("UTF-16LE", "\t"));
    for (report, member, at, kind, bad_type, bad_date) in [
        (&en.report, "member_id", "event_time", "event_type", "teleport", "yesterday"),
        (&zh.report, "会员ID", "发生时间", "行为", "瞬移", "昨天"),
    ] {
        assert_eq!(report.dataset, "events");
        let rejected =
            [(15, kind, bad_type, "unknown_event_type"), (16, at, bad_date, "bad_date"), (17, member, "", "missing")];
        accounted(report, (16, 13), &rejected);
        assert_eq!(report.members, 5);
        assert_eq!(
            (report.first_date.as_deref(), report.last_date.as_deref()),
            (Some("2026-10-01"), Some("2026-10-10"))
        );
        assert_eq!(report.ignored_columns.len(), 1);
    }
    let (Table::Events(a), Table::Events(b)) = (&en.table, &zh.table) else { panic!("not events") };
    let mut kinds: Vec<EventType> = a.kind.clone();
    kinds.sort();
    kinds.dedup();
    // points_redeemed needs a points column: events_points.csv has it.
    assert_eq!(kinds, EventType::ALL[..12], "every event type once at least");
    assert_eq!(a.kind[12], EventType::AddToCart, "\"Add To Cart\"");
    assert_eq!((&a.kind, &a.day, &a.minute, &a.member), (&b.kind, &b.day, &b.minute, &b.member));
    assert_eq!(a.ids.names(), b.ids.names());
    assert_eq!((a.minute[0], a.minute[2]), (8 * 60 + 30, 0));
    let label = |l: &Option<member_analytics::model::Labels>, row: usize| l.as_ref().unwrap().get(row).to_string();
    assert_eq!(
        (label(&a.activity, 10), label(&a.channel, 8), label(&a.coupon, 7)),
        ("课程".into(), "短信".into(), "C-NEW-7".into())
    );
    same_in_chunks(Kind::Events, "events_utf8.csv", &[1, 3, 5, 64]);
    same_in_chunks(Kind::Events, "events_utf16le.tsv", &[1, 3, 5, 64]);
    let mut ws = Workspace::new();
    ws.load(Kind::Events, &fixture("events_utf8.csv"), &opts("e")).unwrap();
    assert_eq!(ws.data().events.as_ref().map(|e| e.len()), Some(13));
}

#[test]
fn members_with_every_field_of_domain_section_1() {
    use member_analytics::ingest::Table;
    use member_analytics::model::{Birthday, Gender, MemberType};
    let name = "members_all_fields.csv";
    let loaded = read(Kind::Members, &fixture(name), &opts(name)).unwrap();
    let report = &loaded.report;
    accounted(
        report,
        (10, 4),
        &[
            (6, "性别", "外星", "unknown_gender"),
            (7, "生日", "1990-02-30", "bad_date"),
            (8, "是否关注公众号", "也许", "bad_boolean"),
            (9, "会员类型", "VIP", "unknown_member_type"),
            (10, "积分", "12.5", "bad_integer"),
            (11, "会员ID", "M001", "duplicate_member"),
        ],
    );
    assert!(report.ignored_columns.is_empty(), "{:?}", report.ignored_columns);
    let mapped: Vec<&str> = report.mapping.keys().map(String::as_str).collect();
    assert_eq!(mapped.len(), 16, "{mapped:?}");
    let Table::Members(m) = &loaded.table else { panic!("not members") };
    assert_eq!(m.ids.names().iter().map(|s| &**s).collect::<Vec<_>>(), ["M001", "M002", "M007", "M008"]);
    assert_eq!(m.points, [Some(1280), Some(1200), Some(0), None]);
    use Gender::*;
    assert_eq!(m.gender.as_deref(), Some(&[Male, Female, Unknown, Unknown][..]));
    let b = |year, month, day| Some(Birthday { year, month, day });
    assert_eq!(m.birthday.as_deref(), Some(&[b(Some(1990), 3, 5), b(None, 3, 15), None, b(Some(1988), 2, 29)][..]));
    let labels = |l: &Option<member_analytics::model::Labels>| {
        (0..4).map(|r| l.as_ref().unwrap().get(r).to_string()).collect::<Vec<_>>()
    };
    assert_eq!(labels(&m.store), ["静安寺店", "徐家汇店", "静安寺店", ""]);
    assert_eq!(labels(&m.source_channel), ["小程序", "门店扫码", "企业团购", ""]);
    assert_eq!(labels(&m.referrer), ["", "M001", "", "M001"]);
    assert_eq!(m.wechat_fan.as_deref(), Some(&[Some(true), Some(false), Some(true), None][..]));
    let day =
        |s: &str| Some(member_analytics::model::day_of(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()));
    assert_eq!(m.followed_at.as_deref(), Some(&[day("2025-12-01"), None, day("2026-02-02"), None][..]));
    let lists = |l: &Option<member_analytics::model::LabelLists>| {
        (0..4).map(|r| l.as_ref().unwrap().names_of(r).collect::<Vec<_>>().join("/")).collect::<Vec<_>>()
    };
    assert_eq!(lists(&m.benefit_cards), ["PLUS年卡/生日礼包", "", "企业卡", ""]);
    assert_eq!(lists(&m.manual_tags), ["高价值/爱咖啡", "宝妈/团购", "企业/大客户", ""]);
    use MemberType::*;
    assert_eq!(m.member_type.as_deref(), Some(&[Personal, Personal, Enterprise, Personal][..]));
    same_in_chunks(Kind::Members, name, &[1, 4, 33]);
    // A file without the new columns has none of them.
    let plain = read(Kind::Members, &fixture("members_utf8.csv"), &opts("m")).unwrap();
    let Table::Members(p) = plain.table else { panic!() };
    assert!(p.gender.is_some() && p.birthday.is_none() && p.manual_tags.is_none() && p.member_type.is_none());
}

#[test]
fn golden_hours_community_and_repurchase_on_the_fixture() {
    // Worked by hand: the window's purchases with a time of day are Thu 10-01 09:15 (slot
    // 9–11:30), Tue 10-20 18:30 (18:30–20:30), Mon 06-01 12:00 and Mon 10-05 12:00 (both
    // 12–13); 20260910 and 2026-10-31 carry no time and are left out. Best slot: 12–13.
    // Home stores: M001, M004, M005 静安寺店; M002 徐家汇店; M003 陆家嘴店 (its 陆家嘴店 order
    // on 10-30 was closed, the June one counts). One buyer of four bought twice.
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.analyze(None).unwrap();
    let i = &ws.analysis().unwrap().insights.summary;
    let g = &i.golden_hours;
    assert_eq!(g.best_slot, Some("1200_1300"));
    assert_eq!(g.purchases[0][4], 2, "Monday 12–13");
    assert_eq!(g.purchases[3][2], 1, "Thursday 9–11:30");
    assert_eq!(g.purchases[1][7], 1, "Tuesday 18:30–20:30");
    assert_eq!(g.purchases.iter().flatten().sum::<u32>(), 4);
    let groups: Vec<(&str, u32, usize)> =
        i.base_groups.iter().map(|b| (b.store.as_str(), b.number, b.members)).collect();
    assert_eq!(groups, vec![("静安寺店", 1, 3), ("徐家汇店", 1, 1), ("陆家嘴店", 1, 1)]);
    assert_eq!((i.vip_members, i.repurchase.buyers, i.repurchase.repeat_buyers), (0, 4, 1));
    let m5 = ws.member("M005").unwrap();
    assert_eq!(
        (m5.best_slot, m5.best_slot_is_store, m5.home_store.as_deref()),
        (Some("1200_1300"), true, Some("静安寺店"))
    );
}

#[test]
fn tags_from_order_lines_and_events() {
    // Worked by hand from orders_gbk_crlf.csv, order_lines_gbk.csv and events_utf8.csv:
    // M001's three purchases D001, D002, D008 all hold a special-price line (100 % ≥ 80 %):
    // discount-driven; D001 has a gift-wrapped line. M001 added to cart twice (2/3 per
    // purchase); M002 wrote a review; M003 made a referral; M005 joined a 课程 activity and
    // bought a gift-wrapped D012. M006's group join is not a known member's.
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.load(Kind::OrderLines, &fixture("order_lines_gbk.csv"), &opts("l")).unwrap();
    ws.load(Kind::Events, &fixture("events_utf8.csv"), &opts("e")).unwrap();
    ws.analyze(None).unwrap();
    let tags = |ws: &Workspace, id: &str| ws.member(id).unwrap().tags.iter().map(|t| t.tag.clone()).collect::<Vec<_>>();
    assert_eq!(tags(&ws, "M001"), vec!["discount_driven", "stockpiler"]);
    let share = &ws.member("M001").unwrap().tags[0].evidence[0];
    assert_eq!(
        (share.metric.as_str(), share.value.as_f64(), share.threshold),
        ("discountedShare", Some(1.0), Some(0.8))
    );
    assert!(tags(&ws, "M002").is_empty() && tags(&ws, "M005").is_empty());
    // Event bonuses join the growth value: M001 signed in once (+1), M002 shared (+5) and
    // reviewed (+10), M003 referred (+50, on 45.60 yuan of purchases).
    let growth = |id: &str| ws.member(id).unwrap().growth;
    assert_eq!((growth("M001"), growth("M002"), growth("M003")), (1280, 115, 95));
    ws.set_rules(r#"{"tags": {"minActivities": 1, "cartAddsPerPurchase": 0.5, "giftPurchases": 1}}"#).unwrap();
    ws.analyze(None).unwrap();
    assert_eq!(tags(&ws, "M001"), vec!["discount_driven", "stockpiler", "indecisive", "gift_giver"]);
    assert_eq!(tags(&ws, "M002"), vec!["circle"]);
    assert_eq!(tags(&ws, "M003"), vec!["easy_sharer"]);
    assert_eq!(tags(&ws, "M005"), vec!["anxious", "gift_giver"]);
}

#[test]
fn the_key_path_funnel_and_its_breakpoint() {
    // Worked by hand on the GBK orders with events_utf8.csv: in the window M001 (visit, cart,
    // 3 purchases), M002, M003 and M005 (purchases; M005 also messages) reach "bought";
    // only M001 bought again. The largest drop is bought → bought again (1 of 4).
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.load(Kind::Events, &fixture("events_utf8.csv"), &opts("e")).unwrap();
    ws.analyze(None).unwrap();
    let i = &ws.analysis().unwrap().insights.summary;
    let stages: Vec<(&str, u64)> = i.funnel.iter().map(|s| (s.key, s.members)).collect();
    assert_eq!(stages, vec![("reached", 4), ("visited", 4), ("picked", 4), ("bought", 4), ("bought_again", 1)]);
    assert_eq!(i.funnel[4].rate, 0.25);
    assert_eq!(i.breakpoint, Some("bought_again"));
}

fn points_workspace() -> Workspace {
    let mut ws = Workspace::new();
    let o = ws.load(Kind::Orders, &fixture("orders_points.csv"), &opts("orders_points.csv")).unwrap();
    assert_eq!(o.rejected.iter().map(|r| (r.row, r.code)).collect::<Vec<_>>(), [(9, "bad_points")]);
    let e = ws.load(Kind::Events, &fixture("events_points.csv"), &opts("events_points.csv")).unwrap();
    assert_eq!(
        e.rejected.iter().map(|r| (r.row, r.column.as_str(), r.code)).collect::<Vec<_>>(),
        [(12, "积分", "missing_points"), (13, "积分", "bad_points")]
    );
    ws.load(Kind::Members, &fixture("members_points.csv"), &opts("members_points.csv")).unwrap();
    ws.analyze(None).unwrap();
    ws
}

#[test]
fn points_fixture_liability_and_reconcile() {
    // Worked by hand in tests/data/README.md.
    let ws = points_workspace();
    let s = ws.points(None).unwrap();
    assert_eq!(s.as_of, "2026-12-01");
    assert_eq!((s.liability_points, s.liability_fen, s.members_with_points), (183, 183, 3));
    assert_eq!((s.earned_points, s.clawed_back_points, s.spent_points, s.expired_points), (446, 53, 2_200, 0));
    assert_eq!((s.overdrawn_members, s.over_cap_orders), (1, 1));
    assert_eq!((s.expiring_members, s.expiring_points), (0, 0));
    let schedule: Vec<_> =
        s.expiry_schedule.iter().map(|b| (b.day.as_str(), b.days_left, b.points, b.members)).collect();
    assert_eq!(schedule, [("2027-01-01", 31, 10, 1), ("2028-01-01", 396, 173, 3)]);
    let r = &s.reconcile;
    assert_eq!((r.compared, r.matching, r.differing), (5, 2, 3));
    let page = ws.points_reconcile(&PageQuery::default()).unwrap();
    let rows: Vec<_> = page.rows.iter().map(|d| (d.member_id.as_str(), d.imported, d.ledger, d.difference)).collect();
    assert_eq!(rows, [("P4", 0, -1_990, 1_990), ("P5", 500, 0, 500), ("P2", 70, 66, 4)]);
    assert_eq!(page.rows[0].phone, "136****5678");
    let page = ws.points_reconcile(&PageQuery { offset: Some(2), limit: Some(5), ..Default::default() }).unwrap();
    assert_eq!((page.total, page.rows.len(), page.rows[0].member_id.as_str()), (3, 1, "P2"));
}

#[test]
fn points_fixture_expiry_boundary_and_ledger_lines() {
    let ws = points_workspace();
    // 31 days before the expiry: not yet "within 30 days"; 30 days: yes.
    assert_eq!(ws.points(Some("2026-12-02")).unwrap().expiring_points, 10);
    let q = PageQuery { as_of: Some("2026-12-02".into()), ..Default::default() };
    let page = ws.points_expiring(&q).unwrap();
    let rows: Vec<_> =
        page.rows.iter().map(|e| (e.member_id.as_str(), e.expiring, e.first_expiry.as_str(), e.days_left)).collect();
    assert_eq!(rows, [("P3", 10, "2027-01-01", 30)]);
    // The day before and the day of the expiry.
    assert_eq!(ws.points_ledger("P3", Some("2026-12-31")).unwrap().balance, 37);
    let p3 = ws.points_ledger("P3", Some("2027-01-01")).unwrap();
    assert_eq!(p3.balance, 27);
    let last = p3.lines.last().unwrap();
    assert_eq!((last.day.as_str(), last.points, last.balance), ("2027-01-01", -10, 27));
    // P1 line by line.
    let p1 = ws.points_ledger("P1", None).unwrap();
    let lines: Vec<_> = p1.lines.iter().map(|l| (l.day.as_str(), l.points, l.balance, l.reason.as_str())).collect();
    assert_eq!(
        lines,
        [
            ("2025-03-01", 100, 100, "消费 ¥100.00（订单 D1）"),
            ("2026-03-08", 100, 200, "消费 ¥50.50（订单 D2） ×2 会员日"),
            ("2026-10-20", -150, 50, "积分抵现 ¥1.50（订单 D3）"),
            ("2026-10-20", 30, 80, "消费 ¥30.00（订单 D3）"),
        ]
    );
    assert_eq!((p1.imported, p1.balance_fen), (Some(80), 80));
    assert_eq!(
        p1.lots.iter().map(|l| (l.earned_on.as_str(), l.remaining)).collect::<Vec<_>>(),
        [("2026-03-08", 50), ("2026-10-20", 30)]
    );
    assert_eq!(ws.points_ledger("nobody", None).unwrap_err().code(), "UNKNOWN_MEMBER");
    // The crowd of points expiring soon.
    let crowd = |expr: &str| {
        let q = MembersQuery { crowd: Some(expr.into()), ..Default::default() };
        ws.members(&q).unwrap().rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(crowd("pointsExpiryDays <= 31"), ["P3"]);
    assert_eq!(crowd("pointsExpiring > 0"), Vec::<String>::new());
    assert_eq!(crowd("pointsBalance < 0"), ["P4"]);
}

#[test]
fn points_category_multipliers_weigh_the_lines() {
    // ¥100 with ¥60 of 咖啡 (×2) and ¥40 of 零食: 100 × (60 × 2 + 40) / 100 = 160.
    let mut ws = Workspace::new();
    let orders = "订单号,会员ID,支付时间,实付金额\nA1,C1,2026-05-02 10:00,100.00\nA2,C1,2026-05-03 10:00,10.00\n";
    let lines = "订单号,商品分类,数量,小计\nA1,咖啡,1,60.00\nA1,零食,2,40.00\nA2,零食,1,10.00\n";
    ws.load(Kind::Orders, orders.as_bytes(), &opts("o")).unwrap();
    ws.load(Kind::OrderLines, lines.as_bytes(), &opts("l")).unwrap();
    ws.set_rules(r#"{"points": {"categoryMultipliers": [{"category": "咖啡", "multiplier": 2}]}}"#).unwrap();
    ws.analyze(None).unwrap();
    let l = ws.points_ledger("C1", None).unwrap();
    assert_eq!(l.lines.iter().map(|l| l.points).collect::<Vec<_>>(), [160, 10]);
    assert_eq!(l.lines[0].reason, "消费 ¥100.00（订单 A1） ×1.6 品类");
}

#[test]
fn crowd_fields_from_members_and_events_manual_and_custom_tags() {
    // Worked by hand from orders_gbk_crlf.csv, members_all_fields.csv and events_utf8.csv,
    // as of 2026-11-01 (the day after D008):
    // - M001: 静安寺店, a fan since 2025-12-01 (335 days), cards PLUS年卡 + 生日礼包, manual tags
    //   高价值 and 爱咖啡; visited 2026-10-01 (31 days), added to cart 10-01 and 10-10 (22 days);
    //   D001, D002, D008 in the last two years, none refunded; no clicks of their own, so the
    //   store's best channel (短信, M005's one click), flagged.
    // - M002: 徐家汇店, not a fan, no card, manual tags 宝妈 (twice in the cell) and 团购; D003 was
    //   refunded in full (no purchase), D004 partly: 1 order in two years, 0 without refund.
    // - M007: in the members file only: 静安寺店, a fan since 2026-02-02 (272 days), 企业卡.
    // - M003 and M004 are in no members file: their home store is their orders' (陆家嘴店, 静安寺店);
    //   M004's D007 (2025-03-01) is within two years (from 2024-11-01). M005 clicked 短信 once.
    let mut ws = Workspace::new();
    ws.load(Kind::Orders, &fixture("orders_gbk_crlf.csv"), &opts("o")).unwrap();
    ws.load(Kind::Members, &fixture("members_all_fields.csv"), &opts("m")).unwrap();
    ws.load(Kind::Events, &fixture("events_utf8.csv"), &opts("e")).unwrap();
    ws.set_rules(
        r#"{"tags": {"custom": [{"key": "fan_with_cards", "name": "有卡粉丝", "nameEn": "Fan with cards",
            "when": "wechatFan = yes and benefitCards >= 2"}]}}"#,
    )
    .unwrap();
    let summary = ws.analyze(Some("2026-11-01")).unwrap().clone();
    let ids = |crowd: &str| -> Vec<String> {
        let q = MembersQuery { crowd: Some(crowd.into()), sort: Some("id_asc".into()), ..Default::default() };
        ws.members(&q).unwrap().rows.into_iter().map(|r| r.id).collect()
    };
    assert_eq!(ids("wechatFan = yes"), ["M001", "M007"]);
    assert_eq!(ids("wechatFan = no"), ["M002"]);
    assert_eq!(ids("daysSinceFollowed = 335 or daysSinceFollowed = 272"), ["M001", "M007"]);
    assert_eq!(ids("daysSinceFollowed < 335"), ["M007"]);
    assert_eq!(ids("daysSinceVisit <= 31"), ["M001"]);
    assert_eq!(ids("daysSinceCartAdd = 22"), ["M001"]);
    assert_eq!(ids("orders2Years = 3 and ordersNoRefund = 3"), ["M001"]);
    assert_eq!(ids("orders2Years = 1 and ordersNoRefund = 0"), ["M002"]);
    assert_eq!(ids("orders2Years = 1 and daysSinceLastPurchase > 365"), ["M004"]);
    assert_eq!(ids("benefitCards >= 1"), ["M001", "M007"]);
    assert_eq!(ids("benefitCard = \"企业卡\""), ["M007"]);
    assert_eq!(ids("store = \"静安寺店\""), ["M001", "M004", "M005", "M007"]);
    assert_eq!(ids("store = 陆家嘴店"), ["M003"]);
    assert_eq!(ids("tag = 宝妈"), ["M002"]);
    assert_eq!(ids("tag = fan_with_cards"), ["M001"]);
    assert_eq!(ids("preferredChannel = 短信").len() as u64, summary.members, "all have 短信, most as the store's");

    let m1 = ws.member("M001").unwrap();
    assert_eq!((m1.preferred_channel.as_deref(), m1.preferred_channel_is_store), (Some("短信"), true));
    let m5 = ws.member("M005").unwrap();
    assert_eq!((m5.preferred_channel.as_deref(), m5.preferred_channel_is_store), (Some("短信"), false));
    assert_eq!(ws.member("M007").unwrap().home_store.as_deref(), Some("静安寺店"));
    let tags: Vec<(&str, &str)> = m1.tags.iter().map(|t| (t.tag.as_str(), t.source)).collect();
    assert_eq!(
        tags,
        [("stockpiler", "auto"), ("fan_with_cards", "custom"), ("高价值", "manual"), ("爱咖啡", "manual")]
    );
    let custom = &m1.tags[1];
    assert_eq!(
        (custom.label.as_str(), custom.label_en.as_str(), custom.family),
        ("有卡粉丝", "Fan with cards", "自定义")
    );
    let evidence: Vec<(&str, serde_json::Value, Option<f64>)> =
        custom.evidence.iter().map(|e| (e.metric.as_str(), e.value.clone(), e.threshold)).collect();
    assert_eq!(
        evidence,
        [("wechatFan", serde_json::json!("yes"), None), ("benefitCards", serde_json::json!(2.0), None)]
    );
    assert!(m1.tags[2].evidence.is_empty() && m1.tags[2].levers.is_empty());

    let count = |key: &str| summary.tags.iter().find(|c| c.key == key).map(|c| (c.members, c.source));
    assert_eq!(count("fan_with_cards"), Some((1, "custom")));
    assert_eq!(count("宝妈"), Some((1, "manual")));
    assert_eq!(count("stockpiler"), Some((1, "auto")));
    let keys = |counts: &[member_analytics::analytics::Count]| -> Vec<(String, u64)> {
        counts.iter().map(|c| (c.key.clone(), c.members)).collect()
    };
    assert_eq!(
        keys(&summary.stores),
        [("静安寺店".into(), 4), ("徐家汇店".into(), 1), ("陆家嘴店".into(), 1)],
        "M001 M007 M004 M005 · M002 · M003"
    );
    assert_eq!(keys(&summary.benefit_cards), [("PLUS年卡".into(), 1), ("生日礼包".into(), 1), ("企业卡".into(), 1)]);
    assert_eq!(summary.preferred_channels[0].key, "短信");
    // The export carries the preferred channel (a fallback as well: it is where to reach them).
    let en = ExportOptions { lang: Some("en".into()), crowd: Some("tag = 高价值".into()), ..Default::default() };
    let text = String::from_utf8(ws.export_members(&en).unwrap()).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].ends_with(",lifecycle,preferred_channel"), "{}", lines[0]);
    assert!(lines[1].starts_with("M001,") && lines[1].ends_with(",active,短信"), "{}", lines[1]);
}

#[test]
fn custom_tags_read_the_points_ledger() {
    // P4 spent more points than it had (tests/data/README.md): the only negative balance.
    let mut ws = points_workspace();
    ws.set_rules(r#"{"tags": {"custom": [{"key": "overdrawn", "name": "积分透支", "nameEn": "Overdrawn", "when": "pointsBalance < 0"}]}}"#)
        .unwrap();
    ws.analyze(None).unwrap();
    let q = MembersQuery { crowd: Some("tag = overdrawn".into()), ..Default::default() };
    let ids: Vec<String> = ws.members(&q).unwrap().rows.into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["P4"]);
}

#[test]
fn demo_coupons_are_believable() {
    use member_analytics::demo::DemoOptions;
    use member_analytics::loyalty::coupons::{EligibilityOptions, RemindersQuery, StatsQuery};
    let mut ws = Workspace::new();
    ws.load_demo(&DemoOptions::default()).unwrap();
    ws.analyze(None).unwrap();
    let stats = ws.coupon_stats(&StatsQuery::default()).unwrap();
    assert!(stats.has_coupon_events && stats.has_coupon_column);
    // Every template is in the events, and nothing else is.
    assert_eq!(stats.coupons.len(), ws.rules().coupons.templates.len());
    assert!(stats.coupons.iter().all(|c| c.issued > 0 && c.used > 0 && c.used < c.issued), "{:?}", stats.coupons);
    let coupon = |key: &str| stats.coupons.iter().find(|c| c.key == key).unwrap();
    // The flash sale's 100 coupons ran out; one new-member coupon each; few come back for a recall coupon.
    assert_eq!((coupon("flash_sale_1yuan").issued, coupon("flash_sale_1yuan").budget_count), (100, Some(100)));
    assert_eq!(coupon("new_member").issued, coupon("new_member").members_issued);
    assert!(coupon("recall").use_rate < 0.1 && coupon("new_member").use_rate > 0.5);
    // Every coupon event's member is a member: the segments add up to the coupons.
    let issued: u64 = stats.coupons.iter().map(|c| c.issued).sum();
    assert_eq!(stats.by_value_group.iter().map(|r| r.issued).sum::<u64>(), issued);
    let recall = ws.coupon_stats(&StatsQuery { coupon: Some("recall".into()) }).unwrap();
    let churned = recall.by_lifecycle.iter().find(|r| r.key == "churned").unwrap();
    assert_eq!(churned.issued, coupon("recall").issued, "the recall campaign went to churned members");
    // Reminders on the analysis date: coupons whose last day is 1 or 2 November.
    let page = ws.coupon_reminders(&RemindersQuery { limit: Some(1_000), ..Default::default() }).unwrap();
    assert!((20..=200).contains(&page.total), "{}", page.total);
    assert!(
        page.rows.iter().all(|r| ["2026-11-01", "2026-11-02"].contains(&r.expires.as_str()) && r.phone.contains('*'))
    );
    // Checks for a sample of members.
    let a = ws.analysis().unwrap();
    for id in a.ids().iter().step_by(97) {
        let e = ws.coupon_eligibility(id, "flash_sale_1yuan", &EligibilityOptions::default()).unwrap();
        let budget = e.failures.iter().find(|f| f.code == "budget_count").unwrap();
        assert_eq!(budget.reason, "budget of 100 coupons used up: 100 issued");
        let e = ws.coupon_eligibility(id, "new_member", &EligibilityOptions::default()).unwrap();
        let p = &a.profiles[a.find(id).unwrap()];
        let is_new = p.lifecycle.is_some_and(|s| s.key() == "new");
        assert_eq!(e.failures.iter().any(|f| f.code == "audience_lifecycle"), !is_new, "{id}");
    }
}

#[test]
fn a_playbook_offer_names_a_coupon_template() {
    let mut doc = serde_json::to_value(member_analytics::Rules::default()).unwrap();
    let offers = doc["playbook"]["offers"].as_array().unwrap();
    let at = offers.iter().position(|o| o["coupon"].is_string()).unwrap();
    doc["playbook"]["offers"][at]["coupon"] = "no_such_coupon".into();
    let e = member_analytics::Rules::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(e.code(), "INVALID_RULES");
    assert_eq!(e.field(), Some(format!("playbook.offers[{at}].coupon").as_str()));
    assert!(e.to_string().contains("new_member"), "{e}");
}

//! Excel workbooks (feature `xlsx`): the fixtures `store.xlsx` and
//! `orders_edge.xlsx` (tests/data/README.md; written by make_xlsx.py).

use super::*;
use member_analytics::ingest::{Loaded, Rejection};

fn sheet(file: &str, sheet: &str) -> LoadOptions {
    LoadOptions { sheet: Some(sheet.into()), ..opts(file) }
}

/// (row, column, code) of each rejection.
fn rejections(rejected: &[Rejection]) -> Vec<(u64, &str, &str)> {
    rejected.iter().map(|r| (r.row, r.column.as_str(), r.code)).collect()
}

#[test]
fn the_orders_sheet_gives_the_answers_of_the_csv_fixture() {
    // Dates as date cells and as text, money as numbers and as "￥1,234.50" / "33元" text.
    check_orders_fixture("store.xlsx");
    let report = read(Kind::Orders, &fixture("store.xlsx"), &opts("store.xlsx")).unwrap().report;
    assert_eq!((report.encoding, report.delimiter.as_str()), ("Excel .xlsx", ""));
    assert_eq!(report.sheet.as_deref(), Some("订单"), "the first sheet by default");
    assert_eq!(report.ignored_columns, vec!["备注"]);
}

#[test]
fn every_sheet_loads_the_same_table_as_its_csv() {
    for (kind, name, csv) in [
        (Kind::Orders, "订单", "orders_utf8_bom.csv"),
        (Kind::Members, "会员", "members_all_fields.csv"),
        (Kind::OrderLines, "订单明细", "order_lines_gbk.csv"),
        (Kind::Events, "行为", "events_utf8.csv"),
    ] {
        let Loaded { table, report } = read(kind, &fixture("store.xlsx"), &sheet("store.xlsx", name)).unwrap();
        let expected = read(kind, &fixture(csv), &opts(csv)).unwrap();
        assert_eq!(table, expected.table, "{name}");
        assert_eq!(report.sheet.as_deref(), Some(name));
        let e = &expected.report;
        assert_eq!((report.rows_read, report.rows_used), (e.rows_read, e.rows_used), "{name}");
        assert_eq!(rejections(&report.rejected), rejections(&e.rejected), "{name}");
        assert_eq!((&report.mapping, &report.ignored_columns), (&e.mapping, &e.ignored_columns), "{name}");
        assert_eq!((&report.first_date, &report.last_date, report.members), (&e.first_date, &e.last_date, e.members));
    }
}

#[test]
fn workbook_edge_cases_lose_nothing() {
    let mut ws = Workspace::new();
    let report = ws.load(Kind::Orders, &fixture("orders_edge.xlsx"), &opts("edge.xlsx")).unwrap();
    assert_eq!(report.sheet.as_deref(), Some("订单"), "the hidden first sheet is skipped");
    assert_eq!(report.mapping.get("amount").map(String::as_str), Some("实付金额"));
    assert_eq!(report.ignored_columns, vec!["备注", "已核对"], "column A is a margin, not a header");
    // Row 5 is empty: skipped, but the rows after it keep the numbers the sheet shows.
    assert_eq!((report.rows_read, report.rows_used), (6, 3));
    let got: Vec<(u64, &str, &str, &str)> =
        report.rejected.iter().map(|r| (r.row, r.column.as_str(), r.value.as_str(), r.code)).collect();
    assert_eq!(
        got,
        vec![
            (4, "实付金额", "#N/A", "cell_error"),
            (7, "支付时间", "09:30:00", "bad_date"),
            (9, "", "左边多了一格,E6,2026-03-08,5", "field_count"),
        ]
    );
    assert!(report.rejected[0].reason_zh.contains("#N/A"));
    assert_eq!((report.first_date.as_deref(), report.last_date.as_deref()), (Some("2026-03-05"), Some("2026-03-07")));
    ws.analyze(Some("2026-03-08")).unwrap();
    // 14:02:59.999 rounds to 14:03; 36.900000000000006 (a formula's float) is 36.90.
    let e1 = ws.member("E1").unwrap();
    assert_eq!((e1.m_fen, e1.last_purchase.as_deref()), (Some(3_690), Some("2026-03-05")));
    // "¥1,234.50" as text; #DIV/0! in the ignored 备注 column does not matter.
    assert_eq!(ws.member("E3").unwrap().m_fen, Some(123_450));
    // A plain number in a date column is an Excel serial: 46088.5 is 2026-03-07 12:00.
    assert_eq!(ws.member("E5").unwrap().last_purchase.as_deref(), Some("2026-03-07"));
}

#[test]
fn sheets_chosen_by_name_and_unreadable_workbooks_say_why() {
    let bytes = fixture("orders_edge.xlsx");
    let e = read(Kind::Orders, &bytes, &sheet("edge.xlsx", "Sheet1")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("BAD_OPTIONS", Some("sheet")));
    assert!(e.to_string().contains("说明, 订单"), "{e}");
    let e = read(Kind::Orders, &bytes, &sheet("edge.xlsx", "说明")).unwrap_err();
    assert_eq!(e.code(), "MISSING_COLUMN", "a hidden sheet is read when named");
    let truncated = &bytes[..bytes.len() / 2];
    let e = read(Kind::Orders, truncated, &opts("cut.xlsx")).unwrap_err();
    assert_eq!((e.code(), e.file()), ("BAD_WORKBOOK", Some("cut.xlsx")));
    assert!(e.to_string().contains("无法读取"), "{e}");
}

#[test]
fn a_workbook_streamed_in_chunks_reads_as_a_whole() {
    let bytes = fixture("store.xlsx");
    let whole = read(Kind::Members, &bytes, &sheet("s", "会员")).unwrap();
    let mut ingest = Ingest::new(Kind::Members, sheet("s", "会员")).unwrap();
    for chunk in bytes.chunks(1000) {
        ingest.push(chunk).unwrap();
    }
    let streamed = ingest.finish().unwrap();
    assert_eq!((streamed.report, streamed.table), (whole.report, whole.table));
}

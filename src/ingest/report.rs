//! The import report: what was read, what was used, and every row that was
//! not, with the reason in English and Chinese. `rows_used +
//! rejected.len() == rows_read`, always.

use super::fields::FieldError;
use serde::Serialize;

/// Longest raw value kept in a rejection (characters).
const VALUE_CHARS: usize = 200;

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: u64,
    /// The column as written in the file; "" when the whole row is at fault.
    pub column: String,
    /// The raw value, cut to 200 characters.
    pub value: String,
    /// Stable machine code of the reason.
    pub code: &'static str,
    /// Reason in English.
    pub reason: &'static str,
    /// Reason in Chinese.
    pub reason_zh: &'static str,
}

impl Rejection {
    /// A rejection of `row` because of `value` in `column`.
    pub fn new(row: u64, column: &str, value: &str, error: FieldError) -> Rejection {
        let value = match value.char_indices().nth(VALUE_CHARS) {
            Some((at, _)) => format!("{}…", &value[..at]),
            None => value.to_string(),
        };
        Rejection {
            row,
            column: column.to_string(),
            value,
            code: error.code(),
            reason: error.reason_en(),
            reason_zh: error.reason_zh(),
        }
    }
}

/// What one load did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// `orders`, `members`, `order_lines` or `events`.
    pub dataset: &'static str,
    /// File name as given by the caller.
    pub file_name: String,
    /// Encoding used to read the file.
    pub encoding: &'static str,
    /// Delimiter used (`,`, `\t`, `;` or `|`; empty for a workbook).
    pub delimiter: String,
    /// The worksheet read, for an Excel workbook.
    pub sheet: Option<String>,
    /// Canonical field → header as written.
    pub mapping: std::collections::BTreeMap<String, String>,
    /// Headers that hold no known field.
    pub ignored_columns: Vec<String>,
    /// Data rows read (the header and blank lines are not rows).
    pub rows_read: u64,
    /// Rows that entered the dataset.
    pub rows_used: u64,
    /// Rows that did not, one entry each.
    pub rejected: Vec<Rejection>,
    /// Used order rows that are not purchases (refunded in full or closed).
    pub not_purchases: u64,
    /// Distinct members in the file (0 for order lines, which name orders).
    pub members: u64,
    /// Earliest date in the file (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// Latest date in the file (`YYYY-MM-DD`).
    pub last_date: Option<String>,
}

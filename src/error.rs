//! The crate's one error type (csv-style: a boxed kind), with a stable
//! machine code for every variant so JS callers can branch on `err.code`.

use std::fmt;

/// Every failure the crate reports. Cheap to move: the kind is boxed.
#[derive(Debug)]
pub struct Error(Box<ErrorKind>);

/// What went wrong. Ingest variants carry the file name; row-level problems
/// are never errors (they become rejected rows in the import report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file has no bytes, or only blank lines, or only a header.
    #[error("{file}: the file is empty (文件为空)")]
    EmptyFile {
        /// File name as given by the caller.
        file: String,
    },
    /// The bytes are not text (e.g. an image or a zip archive).
    #[error("{file}: this is not a text table ({what}) (不是文本表格文件)")]
    BinaryFile {
        /// File name as given by the caller.
        file: String,
        /// What the bytes look like.
        what: String,
    },
    /// A known format this build cannot read yet (e.g. `.xlsx`).
    #[error("{file}: {what} files are not supported; save the sheet as CSV (请另存为 CSV)")]
    UnsupportedFormat {
        /// File name as given by the caller.
        file: String,
        /// The format recognised.
        what: String,
    },
    /// An Excel workbook that cannot be read: damaged, encrypted, without
    /// worksheets, or without the sheet the options name.
    #[error("{file}: the Excel workbook cannot be read: {message} (无法读取该 Excel 工作簿)")]
    BadWorkbook {
        /// File name as given by the caller.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A required column is absent and no mapping names it.
    #[error(
        "{file}: no column for {field} (缺少列 {field_zh}); headers seen: {headers}; \
         pass a mapping such as {{\"{field}\": \"<header>\"}}"
    )]
    MissingColumn {
        /// File name as given by the caller.
        file: String,
        /// Canonical field, e.g. `member_id`.
        field: String,
        /// The field's Chinese name.
        field_zh: String,
        /// The headers found, comma separated.
        headers: String,
    },
    /// A caller-supplied mapping names an unknown field or a header that is not in the file.
    #[error("{file}: bad column mapping for {field}: {message}")]
    BadMapping {
        /// File name as given by the caller.
        file: String,
        /// The mapping key at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Options or a query the caller passed are malformed.
    #[error("bad options: {field}: {message}")]
    BadOptions {
        /// The option at fault, as a path (`sort`, `asOf`, …).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The rules document does not parse or fails validation.
    #[error("invalid rules at {field}: {message}")]
    InvalidRules {
        /// Path of the field at fault, e.g. `rfm.windowDays`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Nothing has been loaded yet.
    #[error("no data loaded: load an orders or members file first (请先导入订单或会员文件)")]
    NoData,
    /// A query needs `analyze` to have run.
    #[error("not analysed yet: call analyze() first")]
    NotAnalyzed,
    /// No member has this id.
    #[error("unknown member {0} (查无此会员)")]
    UnknownMember(String),
    /// The prediction models cannot be fitted at all (e.g. nobody has bought
    /// twice on different days); thin data otherwise gets a flagged fallback.
    #[error("prediction: {message}")]
    Prediction {
        /// The models' own code, e.g. `NO_CUSTOMERS`.
        code: &'static str,
        /// What is missing.
        message: String,
    },
    /// `beginLoad` was called while another streaming load was open.
    #[error("a load is already in progress; call finishLoad() first")]
    LoadInProgress,
    /// `push` or `finishLoad` without `beginLoad`.
    #[error("no load in progress; call beginLoad() first")]
    NoLoadInProgress,
}

impl Error {
    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// A stable, machine-readable code (`MISSING_COLUMN`, …) for JS callers.
    pub fn code(&self) -> &'static str {
        match *self.0 {
            ErrorKind::EmptyFile { .. } => "EMPTY_FILE",
            ErrorKind::BinaryFile { .. } => "BINARY_FILE",
            ErrorKind::UnsupportedFormat { .. } => "UNSUPPORTED_FORMAT",
            ErrorKind::BadWorkbook { .. } => "BAD_WORKBOOK",
            ErrorKind::MissingColumn { .. } => "MISSING_COLUMN",
            ErrorKind::BadMapping { .. } => "BAD_MAPPING",
            ErrorKind::BadOptions { .. } => "BAD_OPTIONS",
            ErrorKind::InvalidRules { .. } => "INVALID_RULES",
            ErrorKind::NoData => "NO_DATA",
            ErrorKind::NotAnalyzed => "NOT_ANALYZED",
            ErrorKind::UnknownMember(_) => "UNKNOWN_MEMBER",
            ErrorKind::Prediction { code, .. } => code,
            ErrorKind::LoadInProgress => "LOAD_IN_PROGRESS",
            ErrorKind::NoLoadInProgress => "NO_LOAD_IN_PROGRESS",
        }
    }

    /// The field or option the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match &*self.0 {
            ErrorKind::MissingColumn { field, .. }
            | ErrorKind::BadMapping { field, .. }
            | ErrorKind::BadOptions { field, .. }
            | ErrorKind::InvalidRules { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The file the error is about, when there is one.
    pub fn file(&self) -> Option<&str> {
        match &*self.0 {
            ErrorKind::EmptyFile { file }
            | ErrorKind::BinaryFile { file, .. }
            | ErrorKind::UnsupportedFormat { file, .. }
            | ErrorKind::BadWorkbook { file, .. }
            | ErrorKind::MissingColumn { file, .. }
            | ErrorKind::BadMapping { file, .. } => Some(file),
            _ => None,
        }
    }

    /// Shorthand for [`ErrorKind::BadOptions`].
    pub(crate) fn bad_options(field: impl Into<String>, message: impl Into<String>) -> Error {
        ErrorKind::BadOptions { field: field.into(), message: message.into() }.into()
    }

    /// Shorthand for [`ErrorKind::InvalidRules`].
    pub(crate) fn invalid_rules(field: impl Into<String>, message: impl Into<String>) -> Error {
        ErrorKind::InvalidRules { field: field.into(), message: message.into() }.into()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! The native side of `make bench` (benches/run.mjs drives it): writes the
//! demo files and runs the benchmark tasks with the crate's own `Workspace`
//! compiled natively in release mode — the ceiling the wasm build is
//! compared with.
//!
//! ```text
//! bench-native gen-orders <rows> <out.csv>       orders file of the demo store, <rows> rows
//! bench-native gen-members <rows> <out.csv>      its members file (the same DemoOptions)
//! bench-native gen-events <orders> <rows> <out>   the events of that store, thinned evenly to <rows>
//! bench-native load <kind> <file.csv> <runs>     loading alone (profiling); one JSON line
//! bench-native rfm <orders.csv> <runs> <as-of>   the RFM task; one JSON line on stdout
//! bench-native full <runs> <as-of> <kind=path>…  every module; one JSON line
//! ```
//!
//! Files are read into memory before the clock starts: every tool is timed
//! from CSV bytes in memory to results held by the caller.

use member_analytics::Workspace;
use member_analytics::analytics::query::MembersQuery;
use member_analytics::demo::{DemoOptions, write_events, write_members, write_orders};
use member_analytics::export::ExportOptions;
use member_analytics::ingest::{Kind, LoadOptions};
use std::error::Error;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

type Res<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["gen-orders", rows, out] => generate(rows, out, Demo::Orders),
        ["gen-members", rows, out] => generate(rows, out, Demo::Members),
        ["gen-events", orders, rows, out] => generate(orders, out, Demo::Events(rows.parse().unwrap_or(0))),
        ["load", kind, path, runs] => load(kind, path, runs.parse().unwrap_or(1)),
        ["rfm", path, runs, as_of] => rfm(path, runs.parse().unwrap_or(1), as_of),
        ["full", runs, as_of, inputs @ ..] if !inputs.is_empty() => full(runs.parse().unwrap_or(1), as_of, inputs),
        _ => Err("usage: bench-native gen-orders|gen-members <rows> <out> | gen-events <orders> <rows> <out> \
                  | load <kind> <file> <runs> \
                  | rfm <orders.csv> <runs> <as-of> | full <runs> <as-of> <kind=path>..."
            .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-native: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Which demo file to write.
enum Demo {
    Orders,
    Members,
    /// The events file, keeping this many rows spread evenly over it.
    Events(u64),
}

/// Writes the orders, members or events file of `DemoOptions { orders }`
/// to `out` through a temporary file, so an interrupted run leaves no half file.
fn generate(orders: &str, out: &str, demo: Demo) -> Res<()> {
    let options = DemoOptions { orders: Some(orders.parse()?), ..DemoOptions::default() };
    let tmp = format!("{out}.tmp");
    let file = BufWriter::new(File::create(&tmp)?);
    let written = match demo {
        Demo::Orders => write_orders(&options, file)?,
        Demo::Members => write_members(&options, file)?,
        Demo::Events(keep) => {
            // The demo writes about 80 events per member; the benchmark wants
            // a given number, from every member rather than from the first ones.
            let total = write_events(&options, std::io::sink())?;
            let mut thin = Thin { out: file, total, keep: keep.min(total), row: 0, kept: 0, header: true };
            write_events(&options, &mut thin)?;
            thin.out.flush()?;
            thin.kept
        }
    };
    std::fs::rename(&tmp, out)?;
    println!("{{\"rows\":{written}}}");
    Ok(())
}

/// A writer that passes the header line and `keep` of the `total` data
/// lines after it, spread evenly (line `i` is kept when `i · keep / total`
/// steps up).
struct Thin<W: Write> {
    out: W,
    total: u64,
    keep: u64,
    row: u64,
    kept: u64,
    header: bool,
}

impl<W: Write> Write for Thin<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for line in buf.split_inclusive(|&b| b == b'\n') {
            let keep = self.header || (self.row + 1) * self.keep / self.total != self.row * self.keep / self.total;
            if keep {
                self.out.write_all(line)?;
            }
            if line.ends_with(b"\n") {
                if self.header {
                    self.header = false;
                } else {
                    self.kept += u64::from(keep);
                    self.row += 1;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Loading one file alone, `runs` times on the same bytes (for profiling
/// the ingest without the analysis).
fn load(kind: &str, path: &str, runs: usize) -> Res<()> {
    let kind = Kind::parse(kind)?;
    let bytes = std::fs::read(path)?;
    repeat(runs, || {
        let start = Instant::now();
        let report = Workspace::new().load(kind, &bytes, &LoadOptions::default())?;
        Ok((start.elapsed().as_secs_f64(), rows(&report)))
    })
}

/// The RFM task, `runs` times on the same bytes.
fn rfm(path: &str, runs: usize, as_of: &str) -> Res<()> {
    let bytes = std::fs::read(path)?;
    repeat(runs, || {
        let start = Instant::now();
        let mut ws = Workspace::new();
        let report = ws.load(Kind::Orders, &bytes, &LoadOptions::default())?;
        let columns = ws.rfm(Some(as_of))?;
        let seconds = start.elapsed().as_secs_f64();
        // Outside the clock: what every tool must agree on.
        let d = Digest::of(&columns.f, &columns.r, &columns.m_fen, &columns.scores);
        Ok((seconds, format!("{},{}", rows(&report), d.json())))
    })
}

/// Run `task` (its seconds and the JSON fields it checks) `runs` times and
/// print one JSON line: every run's seconds, the last run's fields, the peak
/// RSS once the first run is over and at the end.
fn repeat(runs: usize, mut task: impl FnMut() -> Res<(f64, String)>) -> Res<()> {
    let mut seconds = Vec::new();
    let mut out = String::new();
    let mut first_peak = None;
    for _ in 0..runs.max(1) {
        let (s, fields) = task()?;
        seconds.push(s);
        out = fields;
        first_peak = first_peak.or_else(|| Some(peak_rss_kib()));
    }
    println!(
        "{{\"tool\":\"native\",\"seconds\":{},{out},\"peakRssKiB\":{},\"firstRunPeakRssKiB\":{}}}",
        list(&seconds),
        peak_rss_kib(),
        first_peak.unwrap_or_default()
    );
    Ok(())
}

/// The row counts of a load, as JSON fields.
fn rows(report: &member_analytics::ingest::ImportReport) -> String {
    format!(
        "\"rowsRead\":{},\"rowsUsed\":{},\"rejected\":{}",
        report.rows_read,
        report.rows_used,
        report.rejected.len()
    )
}

/// Every module: load each file, analyze, predict, one page of members, the
/// member export. `inputs` are `kind=path` in load order (orders, members,
/// events).
fn full(runs: usize, as_of: &str, inputs: &[&str]) -> Res<()> {
    let mut files = Vec::new();
    for input in inputs {
        let (kind, path) = input.split_once('=').ok_or("inputs are kind=path")?;
        files.push((Kind::parse(kind)?, std::fs::read(path)?));
    }
    let mut runs_json = Vec::new();
    let mut check = String::new();
    for _ in 0..runs.max(1) {
        let mut phases: Vec<(String, f64)> = Vec::new();
        let start = Instant::now();
        let mut lap = Instant::now();
        let mut ws = Workspace::new();
        let mut rows = Vec::new();
        for (kind, bytes) in &files {
            let report = ws.load(*kind, bytes, &LoadOptions::default())?;
            rows.push(format!("\"{}\":[{},{}]", kind.name(), report.rows_used, report.rejected.len()));
            phases.push((format!("load {}", kind.name()), lap.elapsed().as_secs_f64()));
            lap = Instant::now();
        }
        let summary_members = ws.analyze(Some(as_of))?.members;
        phases.push(("analyze".into(), lap.elapsed().as_secs_f64()));
        lap = Instant::now();
        ws.predict()?;
        phases.push(("predict".into(), lap.elapsed().as_secs_f64()));
        lap = Instant::now();
        let page = ws.members(&MembersQuery { sort: Some("m_desc".into()), limit: Some(50), ..Default::default() })?;
        phases.push(("members page".into(), lap.elapsed().as_secs_f64()));
        lap = Instant::now();
        let csv = ws.export_members(&ExportOptions { lang: Some("zh".into()), ..Default::default() })?;
        phases.push(("export".into(), lap.elapsed().as_secs_f64()));
        let total = start.elapsed().as_secs_f64();
        let mut phase_json = String::new();
        for (name, s) in &phases {
            let sep = if phase_json.is_empty() { "" } else { "," };
            let _ = write!(phase_json, "{sep}\"{name}\":{s}");
        }
        runs_json.push(format!("{{\"total\":{total},\"phases\":{{{phase_json}}}}}"));
        check = format!(
            "\"rows\":{{{}}},\"members\":{summary_members},\"pageRows\":{},\"pageTotal\":{},\"exportBytes\":{}",
            rows.join(","),
            page.rows.len(),
            page.total,
            csv.len()
        );
    }
    println!("{{\"tool\":\"native\",\"runs\":[{}],{check},\"peakRssKiB\":{}}}", runs_json.join(","), peak_rss_kib());
    Ok(())
}

/// What the tools must agree on: members with a purchase in the window, the
/// sums of R, F and M, and the joint histogram of the (R, F, M) scores.
struct Digest {
    members: u64,
    total_m: i64,
    sum_r: u64,
    sum_f: u64,
    /// `hist[25 * (r - 1) + 5 * (f - 1) + (m - 1)]`.
    hist: [u64; 125],
}

impl Digest {
    fn of(f: &[u32], r: &[u32], m_fen: &[f64], scores: &[u8]) -> Digest {
        let mut d = Digest { members: 0, total_m: 0, sum_r: 0, sum_f: 0, hist: [0; 125] };
        for i in 0..f.len() {
            if f[i] == 0 {
                continue;
            }
            d.members += 1;
            d.total_m += m_fen[i] as i64;
            d.sum_r += u64::from(r[i]);
            d.sum_f += u64::from(f[i]);
            let s = &scores[3 * i..3 * i + 3];
            let cell = |x: u8| usize::from(x.clamp(1, 5) - 1);
            d.hist[25 * cell(s[0]) + 5 * cell(s[1]) + cell(s[2])] += 1;
        }
        d
    }

    fn json(&self) -> String {
        format!(
            "\"members\":{},\"totalM\":{},\"sumR\":{},\"sumF\":{},\"scoreHist\":{}",
            self.members,
            self.total_m,
            self.sum_r,
            self.sum_f,
            list(&self.hist)
        )
    }
}

fn list<T: std::fmt::Display>(values: &[T]) -> String {
    let items: Vec<String> = values.iter().map(T::to_string).collect();
    format!("[{}]", items.join(","))
}

/// Peak resident set size of this process (VmHWM), in KiB; 0 where /proc is absent.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

//! Results: one row per system and setting, rendered as a Markdown table for stdout and
//! written as `<scenario>-<UTC stamp>.json` and `.md` under the results directory. Tables
//! whose rows have p99.9 and max latencies (from histograms) get those two columns too.

use crate::histogram::Percentiles;
use crate::machine::Context;
use crate::stats::Summary;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// One measured system in one setting.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Who did the work: `mqlite` or a ceiling.
    pub system: String,
    /// What was done, with its setting (batch size, payload).
    pub scenario: String,
    /// What one unit of `per_s` is: `records`, `lookups` or `fsyncs`.
    pub unit: &'static str,
    /// Units handled per run.
    pub count: u64,
    /// Units per second, from the median wall time.
    pub per_s: f64,
    /// Megabytes (10^6 B) per second, from the median wall time, when bytes mean something.
    pub mb_per_s: Option<f64>,
    /// Median wall seconds of a run.
    pub wall_s: f64,
    /// Every run's wall seconds, in run order (the warm-up excluded).
    pub runs_wall_s: Vec<f64>,
    /// (slowest - fastest) / median wall time.
    pub spread: f64,
    /// Median CPU seconds of a run (user and system).
    pub cpu_s: f64,
    /// Median system (kernel) seconds of a run.
    pub sys_s: f64,
    /// Median p50 latency of one operation, in microseconds.
    pub p50_us: Option<f64>,
    /// Median p99 latency of one operation, in microseconds.
    pub p99_us: Option<f64>,
    /// Median p99.9 latency, in microseconds (latency scenario only).
    pub p999_us: Option<f64>,
    /// Median of each run's largest latency, in microseconds (latency scenario only).
    pub max_us: Option<f64>,
    /// Every run's latency percentiles, in run order (latency scenario only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs_percentiles: Vec<Percentiles>,
    /// `per_s` (or, for a latency ratio, `p50_us`) divided by the reference row's.
    pub ratio: Option<f64>,
    /// What the ratio compares, e.g. `mqlite/ceiling`.
    pub ratio_of: Option<String>,
}

impl Row {
    /// A row for `count` units (and `bytes` bytes, if they count) summarised by `summary`.
    pub fn new(
        system: &str,
        scenario: &str,
        unit: &'static str,
        count: u64,
        bytes: Option<u64>,
        summary: &Summary,
    ) -> Self {
        let wall = summary.wall_s.max(1e-12);
        Self {
            system: system.into(),
            scenario: scenario.into(),
            unit,
            count,
            per_s: count as f64 / wall,
            mb_per_s: bytes.map(|b| b as f64 / wall / 1e6),
            wall_s: summary.wall_s,
            runs_wall_s: summary.runs_wall_s.clone(),
            spread: summary.spread(),
            cpu_s: summary.cpu_s,
            sys_s: summary.sys_s,
            p50_us: summary.p50_us,
            p99_us: summary.p99_us,
            p999_us: summary.p999_us,
            max_us: summary.max_us,
            runs_percentiles: summary.runs_percentiles.clone(),
            ratio: None,
            ratio_of: None,
        }
    }

    /// Sets the ratio of this row's rate to `reference`'s, described as `what`.
    #[must_use]
    pub fn ratio_to(mut self, reference: &Self, what: &str) -> Self {
        self.ratio = Some(self.per_s / reference.per_s.max(1e-12));
        self.ratio_of = Some(what.into());
        self
    }

    /// Sets the ratio of this row's p50 latency to `reference`'s, described as `what` (higher
    /// is slower, unlike a rate ratio).
    #[must_use]
    pub fn p50_ratio_to(mut self, reference: &Self, what: &str) -> Self {
        self.ratio = self
            .p50_us
            .zip(reference.p50_us)
            .map(|(ours, theirs)| ours / theirs.max(1e-12));
        self.ratio_of = Some(what.into());
        self
    }
}

/// One scenario's results.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The scenario's command-line name, which names the files.
    pub scenario: &'static str,
    /// A heading.
    pub title: String,
    /// The durability every system ran at.
    pub durability: String,
    /// Measured runs per row (after one warm-up).
    pub runs: usize,
    /// The rows.
    pub rows: Vec<Row>,
    /// What a reader needs to interpret the rows.
    pub notes: Vec<String>,
}

/// `value` with an SI prefix (k, M, G) and at most three significant digits or so.
pub fn si(value: f64) -> String {
    match value {
        v if v >= 1e9 => format!("{:.2} G", v / 1e9),
        v if v >= 1e6 => format!("{:.2} M", v / 1e6),
        v if v >= 1e3 => format!("{:.1} k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

fn optional(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

/// MB/s without decimals, but with one below 10 (a durability row can be well under 1 MB/s).
fn megabytes(value: Option<f64>) -> String {
    optional(value, usize::from(value.is_some_and(|v| v < 10.0)))
}

/// The report as Markdown: a heading, the context, the table and the notes.
pub fn markdown(report: &Report, context: &Context) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", report.title);
    let _ = writeln!(
        out,
        "- commit `{}`, started {}\n- machine: {} x {}, {:.1} GiB, Linux {}\n- durability: {}\n- median of {} runs after one warm-up; rates come from the median wall time; spread is \
         (slowest - fastest) / median\n",
        context.commit,
        context.started_utc,
        context.nproc,
        context.cpu_model,
        context.memory_gib,
        context.kernel,
        report.durability,
        report.runs,
    );
    let tails = report
        .rows
        .iter()
        .any(|r| r.p999_us.is_some() || r.max_us.is_some());
    let (tail_heads, tail_aligns) = if tails {
        (" p99.9 µs | max µs |", "--:|--:|")
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "| system | scenario | count | records/s | MB/s | wall s (spread) | CPU s (sys) | p50 µs | p99 µs |{tail_heads} ratio |"
    );
    let _ = writeln!(
        out,
        "|---|---|--:|--:|--:|--:|--:|--:|--:|{tail_aligns}--:|"
    );
    for row in &report.rows {
        let rate = if row.unit == "records" {
            si(row.per_s)
        } else {
            format!("{} {}", si(row.per_s), row.unit)
        };
        let ratio = match (&row.ratio, &row.ratio_of) {
            (Some(r), Some(of)) => format!("{r:.2} ({of})"),
            _ => "-".into(),
        };
        let tail = if tails {
            format!(
                " {} | {} |",
                optional(row.p999_us, 1),
                optional(row.max_us, 1)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} ({:.0}%) | {:.3} ({:.2}) | {} | {} |{} {} |",
            row.system,
            row.scenario,
            si(row.count as f64),
            rate,
            megabytes(row.mb_per_s),
            row.wall_s,
            row.spread * 100.0,
            row.cpu_s,
            row.sys_s,
            optional(row.p50_us, 1),
            optional(row.p99_us, 1),
            tail,
            ratio,
        );
    }
    if !report.notes.is_empty() {
        out.push('\n');
        for note in &report.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

#[derive(Serialize)]
struct Document<'a> {
    context: &'a Context,
    #[serde(flatten)]
    report: &'a Report,
}

/// Writes `<out>/<scenario>-<stamp>.json` and `.md`; returns their paths.
pub fn write(
    report: &Report,
    context: &Context,
    markdown: &str,
    out: &Path,
) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(out)?;
    let stem = out.join(format!("{}-{}", report.scenario, context.file_stamp()));
    let json_path = stem.with_extension("json");
    let md_path = stem.with_extension("md");
    let json = serde_json::to_string_pretty(&Document { context, report })
        .map_err(std::io::Error::other)?;
    std::fs::write(&json_path, json + "\n")?;
    std::fs::write(&md_path, markdown)?;
    Ok(vec![
        json_path.display().to_string(),
        md_path.display().to_string(),
    ])
}

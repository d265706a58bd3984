//! Latency histograms (HdrHistogram): nanosecond values from 1 ns to a minute at three
//! significant digits (every value within 0.1%), and the percentiles a report quotes.

use hdrhistogram::Histogram;

/// The largest latency a histogram holds; larger values are recorded as this.
const HIGHEST_NS: u64 = 60_000_000_000;

/// An empty histogram of nanoseconds.
pub fn new() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NS, 3).unwrap()
}

/// Records one latency (0 counts as 1 ns, the lowest value a histogram holds).
pub fn record(histogram: &mut Histogram<u64>, ns: u64) {
    histogram.saturating_record(ns.max(1));
}

/// A run's latencies as the report quotes them, in microseconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Percentiles {
    /// The median.
    pub p50_us: f64,
    /// The 99th percentile.
    pub p99_us: f64,
    /// The 99.9th percentile.
    pub p999_us: f64,
    /// The largest value.
    pub max_us: f64,
}

impl Percentiles {
    /// The percentiles of `histogram`.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        let us = |ns: u64| ns as f64 / 1e3;
        Self {
            p50_us: us(histogram.value_at_quantile(0.50)),
            p99_us: us(histogram.value_at_quantile(0.99)),
            p999_us: us(histogram.value_at_quantile(0.999)),
            max_us: us(histogram.max()),
        }
    }
}

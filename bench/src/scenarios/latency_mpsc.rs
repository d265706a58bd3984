//! The latency scenario's in-memory floor: a `std::sync::mpsc` channel carrying the same
//! stamped 100 B values between the same two threads on the same schedule. The consumer
//! blocks in `recv_timeout`, then takes whatever else has arrived, as a poll would.

use super::latency_pair::{self, RECEIVE_MAX, RECEIVE_TIMEOUT, Receiver, Sender};
use crate::pacing::Schedule;
use crate::stats::Sample;
use bytes::Bytes;
use std::sync::mpsc;

struct ChannelSender(mpsc::Sender<Bytes>);

impl Sender for ChannelSender {
    fn send(&mut self, value: Bytes) {
        self.0.send(value).unwrap();
    }
}

struct ChannelReceiver(mpsc::Receiver<Bytes>);

impl Receiver for ChannelReceiver {
    fn receive(&mut self, out: &mut Vec<Bytes>) {
        if let Ok(value) = self.0.recv_timeout(RECEIVE_TIMEOUT) {
            out.push(value);
            out.extend(self.0.try_iter().take(RECEIVE_MAX - 1));
        }
    }
}

/// One run: `count` values on `schedule` through a fresh channel.
pub fn run(templates: &[Bytes], count: u64, schedule: Schedule) -> Sample {
    let (tx, rx) = mpsc::channel();
    latency_pair::run(
        templates,
        count,
        schedule,
        ChannelSender(tx),
        ChannelReceiver(rx),
    )
}

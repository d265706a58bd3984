//! Idempotent producers' state in one partition (Kafka's producer state): for each producer id,
//! its newest epoch and the sequence ranges of its last few batches.
//!
//! With it an append recognises a retried batch (same producer, epoch and sequence range as a
//! stored one) and acknowledges it with the stored offsets instead of writing it twice, and
//! refuses a batch that skips sequences (`OutOfOrderSequence`) or comes from a fenced epoch
//! (`ProducerFenced`). The log itself is the only record: the state is rebuilt from the
//! partition's batch headers (bodies are never read) the first time an idempotent append needs
//! it, then kept in step by every append, so it survives reopen with no file of its own.
//!
//! Invariants: a producer's remembered batches are in sequence order, each starting where the
//! one before it ended (mod 2^31), all of its newest epoch; at most
//! [`BATCHES_REMEMBERED`] per producer.

use crate::encoding::batch::{BatchHeader, ProducerFields};
use crate::error::{Error, Result};
use alloc::collections::{BTreeMap, VecDeque};

/// Batches remembered per producer: Kafka's limit on in-flight batches per connection, so any
/// batch a producer may still retry is recognised.
pub const BATCHES_REMEMBERED: usize = 5;

/// One stored batch of an idempotent producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSequence {
    /// The first record's sequence.
    pub first_sequence: i32,
    /// The last record's sequence.
    pub last_sequence: i32,
    /// The first record's offset.
    pub base_offset: i64,
    /// The last record's offset.
    pub last_offset: i64,
    /// The batch's largest timestamp (its log-append time on such topics).
    pub max_timestamp_ms: i64,
}

/// What to do with an incoming batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Write it.
    Append,
    /// It is stored already, here: acknowledge it without writing.
    Duplicate(BatchSequence),
}

#[derive(Debug, Default)]
struct ProducerEntry {
    epoch: i16,
    batches: VecDeque<BatchSequence>,
}

/// Producer state of one partition. See the module docs.
#[derive(Debug, Default)]
pub struct ProducerStates {
    producers: BTreeMap<i64, ProducerEntry>,
}

/// The sequence `count` records after `sequence` (sequences wrap from `i32::MAX` to 0).
pub fn sequence_after(sequence: i32, count: i64) -> i32 {
    let modulus = i64::from(i32::MAX) + 1;
    ((i64::from(sequence) + count).rem_euclid(modulus)) as i32
}

impl ProducerStates {
    /// Takes a stored (or just written) batch into account.
    pub fn note(&mut self, header: &BatchHeader) {
        let ProducerFields {
            producer_id,
            producer_epoch,
            base_sequence,
        } = header.producer;
        if producer_id < 0 || base_sequence < 0 || header.is_control() {
            return;
        }
        let entry = self.producers.entry(producer_id).or_default();
        if producer_epoch < entry.epoch {
            return;
        }
        if producer_epoch > entry.epoch {
            *entry = ProducerEntry {
                epoch: producer_epoch,
                batches: VecDeque::new(),
            };
        }
        if entry.batches.len() == BATCHES_REMEMBERED {
            entry.batches.pop_front();
        }
        entry.batches.push_back(BatchSequence {
            first_sequence: base_sequence,
            last_sequence: sequence_after(base_sequence, i64::from(header.last_offset_delta)),
            base_offset: header.base_offset,
            last_offset: header.last_offset(),
            max_timestamp_ms: header.max_timestamp,
        });
    }

    /// Whether a batch of `count` records with `producer`'s fields may be written to
    /// `topic`-`partition`, is a duplicate, or is refused.
    pub fn check(
        &self,
        topic: &str,
        partition: u32,
        producer: ProducerFields,
        count: usize,
    ) -> Result<SequenceCheck> {
        let ProducerFields {
            producer_id,
            producer_epoch: epoch,
            base_sequence,
        } = producer;
        if producer_id < 0 {
            return Ok(SequenceCheck::Append);
        }
        if base_sequence < 0 || epoch < 0 {
            return Err(Error::InvalidRecord {
                reason: alloc::format!(
                    "producer {producer_id} sent epoch {epoch} and sequence {base_sequence}; \
                     both must be at least 0"
                ),
            });
        }
        let out_of_order = |expected| Error::OutOfOrderSequence {
            topic: topic.into(),
            partition,
            producer_id,
            expected,
            received: base_sequence,
        };
        let Some(entry) = self.producers.get(&producer_id) else {
            // A producer new to this partition starts at 0.
            return if base_sequence == 0 {
                Ok(SequenceCheck::Append)
            } else {
                Err(out_of_order(0))
            };
        };
        if epoch < entry.epoch {
            return Err(Error::ProducerFenced {
                producer_id,
                epoch,
                current_epoch: entry.epoch,
            });
        }
        if epoch > entry.epoch {
            // A new epoch starts its sequences over.
            return if base_sequence == 0 {
                Ok(SequenceCheck::Append)
            } else {
                Err(out_of_order(0))
            };
        }
        let last_sequence = sequence_after(base_sequence, count as i64 - 1);
        if let Some(stored) = entry
            .batches
            .iter()
            .find(|b| b.first_sequence == base_sequence && b.last_sequence == last_sequence)
        {
            return Ok(SequenceCheck::Duplicate(*stored));
        }
        let expected = entry
            .batches
            .back()
            .map_or(0, |b| sequence_after(b.last_sequence, 1));
        if base_sequence == expected {
            Ok(SequenceCheck::Append)
        } else {
            Err(out_of_order(expected))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_wrap_from_the_largest_i32_to_zero() {
        assert_eq!(sequence_after(i32::MAX, 1), 0);
        assert_eq!(sequence_after(i32::MAX - 1, 3), 1);
        assert_eq!(sequence_after(5, 0), 5);
    }
}

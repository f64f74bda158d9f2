//! The cards the service has issued, kept for their feedback: a bounded map from card uuid
//! to what the card recommended, evicted first in, first out by age and by count. A card's
//! feedback is final: once an outcome is recorded for it, it takes no other.

use carelevel::Report;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What a card was issued for: enough to turn its feedback into an override record and an
/// audit line. Ids only, no answers.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCard {
    /// The recommendation, or `None` for a card saying no intake was found.
    pub report: Option<Arc<Report>>,
    /// The service that issued it.
    pub service_id: &'static str,
    /// `context.patientId`.
    pub patient_id: String,
    /// `context.encounterId`.
    pub encounter_id: Option<String>,
    /// The request's `hookInstance`.
    pub hook_instance: String,
    /// The uuids of the card's suggestions.
    pub suggestions: Vec<String>,
    /// The `iss` of the token the card was issued to (`None` without authentication): only
    /// the same issuer may give its feedback.
    pub issuer: Option<String>,
}

/// A kept card, and whether its feedback has been recorded.
#[derive(Debug)]
struct Entry {
    card: IssuedCard,
    recorded: bool,
}

/// Why [`CardStore::record`] recorded nothing: the index of the first card it could not take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotRecorded {
    /// The card has an outcome already.
    Recorded(usize),
    /// The card has expired or been evicted since it was read.
    Gone(usize),
}

#[derive(Debug, Default)]
struct Inner {
    cards: HashMap<String, Entry>,
    /// Uuids in the order they were issued, with when.
    order: VecDeque<(Instant, String)>,
}

/// The store: at most `capacity` cards, each for at most `ttl`.
#[derive(Debug)]
pub(crate) struct CardStore {
    inner: Mutex<Inner>,
    capacity: usize,
    ttl: Duration,
}

impl CardStore {
    pub(crate) fn new(capacity: usize, ttl: Duration) -> CardStore {
        CardStore {
            inner: Mutex::new(Inner::default()),
            capacity,
            ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters here (each operation is a single insert or removal, or flags set after
        // every check has passed): carry on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a card; evicts expired cards and, beyond the capacity, the oldest.
    pub(crate) fn insert(&self, uuid: String, card: IssuedCard) {
        if self.capacity == 0 {
            return;
        }
        let now = Instant::now();
        let mut inner = self.lock();
        inner.evict_expired(now, self.ttl);
        while inner.cards.len() >= self.capacity {
            match inner.order.pop_front() {
                Some((_, old)) => {
                    inner.cards.remove(&old);
                }
                None => break,
            }
        }
        inner.order.push_back((now, uuid.clone()));
        inner.cards.insert(
            uuid,
            Entry {
                card,
                recorded: false,
            },
        );
    }

    /// The card with this uuid, if it was issued and has not expired, and whether its
    /// feedback has been recorded.
    pub(crate) fn get(&self, uuid: &str) -> Option<(IssuedCard, bool)> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.evict_expired(now, self.ttl);
        inner.cards.get(uuid).map(|e| (e.card.clone(), e.recorded))
    }

    /// Marks the feedback of all these cards recorded, or none of them: checked and marked
    /// under one lock, so two requests cannot both record an outcome for the same card.
    pub(crate) fn record(&self, uuids: &[&str]) -> Result<(), NotRecorded> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.evict_expired(now, self.ttl);
        for (i, uuid) in uuids.iter().enumerate() {
            match inner.cards.get(*uuid) {
                None => return Err(NotRecorded::Gone(i)),
                Some(e) if e.recorded => return Err(NotRecorded::Recorded(i)),
                Some(_) => {}
            }
        }
        for uuid in uuids {
            if let Some(e) = inner.cards.get_mut(*uuid) {
                e.recorded = true;
            }
        }
        Ok(())
    }

    /// How many cards are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().cards.len()
    }
}

impl Inner {
    fn evict_expired(&mut self, now: Instant, ttl: Duration) {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_duration_since(*at) < ttl {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.cards.remove(&old);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn card() -> IssuedCard {
        IssuedCard {
            report: None,
            service_id: "s",
            patient_id: "p".into(),
            encounter_id: None,
            hook_instance: "h".into(),
            suggestions: Vec::new(),
            issuer: None,
        }
    }

    #[test]
    fn the_oldest_card_goes_beyond_the_capacity() {
        let store = CardStore::new(2, Duration::from_secs(60));
        store.insert("a".into(), card());
        store.insert("b".into(), card());
        store.insert("c".into(), card());
        assert_eq!(store.len(), 2);
        assert!(store.get("a").is_none());
        assert!(store.get("b").is_some() && store.get("c").is_some());
    }

    #[test]
    fn feedback_is_recorded_once_and_for_all_cards_or_none() {
        let store = CardStore::new(10, Duration::from_secs(60));
        store.insert("a".into(), card());
        store.insert("b".into(), card());
        assert_eq!(store.record(&["a"]), Ok(()));
        assert_eq!(store.get("a").map(|(_, r)| r), Some(true));
        // "b" is not marked when "a" refuses the batch.
        assert_eq!(store.record(&["b", "a"]), Err(NotRecorded::Recorded(1)));
        assert_eq!(store.get("b").map(|(_, r)| r), Some(false));
        assert_eq!(store.record(&["b", "x"]), Err(NotRecorded::Gone(1)));
        assert_eq!(store.get("b").map(|(_, r)| r), Some(false));
        assert_eq!(store.record(&["b"]), Ok(()));
    }

    #[test]
    fn an_expired_card_is_gone() {
        let store = CardStore::new(10, Duration::ZERO);
        store.insert("a".into(), card());
        assert!(store.get("a").is_none());
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let store = CardStore::new(0, Duration::from_secs(60));
        store.insert("a".into(), card());
        assert!(store.get("a").is_none());
    }
}

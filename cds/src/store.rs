//! The cards the service has issued, kept for their feedback: a bounded map from card uuid
//! to what the card recommended, evicted first in, first out by age and by count.

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

#[derive(Debug, Default)]
struct Inner {
    cards: HashMap<String, (Instant, IssuedCard)>,
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
        // matters here (each operation is a single insert or removal): carry on.
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
        inner.cards.insert(uuid, (now, card));
    }

    /// The card with this uuid, if it was issued and has not expired.
    pub(crate) fn get(&self, uuid: &str) -> Option<IssuedCard> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.evict_expired(now, self.ttl);
        inner.cards.get(uuid).map(|(_, c)| c.clone())
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

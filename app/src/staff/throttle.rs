//! Failed logins, counted per account and per address: beyond a few failures in a
//! window, logins from that address or to that account wait until the window ends
//! (`429` with `Retry-After`). Guessing one account's password from many addresses, or
//! many accounts' from one address, is slowed down alike. Counts live in the memory of
//! each server (a few hundred bytes per key, at most [`Throttle::CAPACITY`] keys); a
//! login that succeeds clears its account's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// The failed-login counts of one server.
#[derive(Debug)]
pub struct Throttle {
    counts: Mutex<HashMap<Key, Window>>,
    window: Duration,
    per_account: u32,
    per_address: u32,
}

impl Default for Throttle {
    /// 5 failures per account and 20 per address in 15 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl Throttle {
    /// Keys kept at most: beyond (after forgetting ended windows), new keys are not
    /// counted rather than letting a flood of addresses grow the map without bound.
    pub const CAPACITY: usize = 100_000;

    pub fn new(window: Duration, per_account: u32, per_address: u32) -> Self {
        Self {
            counts: Mutex::new(HashMap::new()),
            window,
            per_account,
            per_address,
        }
    }

    fn keys(email: &str, address: IpAddr) -> [(Key, u32); 2] {
        [
            (Key::Account(email.trim().to_lowercase()), 0),
            (Key::Address(address), 1),
        ]
    }

    /// `Err(wait)` when this account or address has failed too often in its window.
    pub fn check(&self, email: &str, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for (key, which) in Self::keys(email, address) {
            let limit = if which == 0 {
                self.per_account
            } else {
                self.per_address
            };
            if let Some(w) = counts.get(&key) {
                let ends = w.started + self.window;
                if w.failures >= limit && ends > now {
                    wait = wait.max(ends - now);
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Counts a failure against the account and the address.
    pub fn failed(&self, email: &str, address: IpAddr, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() >= Self::CAPACITY {
            let window = self.window;
            counts.retain(|_, w| w.started + window > now);
        }
        for (key, _) in Self::keys(email, address) {
            if counts.len() >= Self::CAPACITY && !counts.contains_key(&key) {
                tracing::warn!("failed-login counts full: a key is not counted");
                continue;
            }
            let w = counts.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if w.started + self.window <= now {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A login that succeeded: its account starts afresh (its address does not).
    pub fn succeeded(&self, email: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(&Key::Account(email.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn an_account_waits_after_its_failures_until_the_window_ends() {
        let t = Throttle::new(Duration::from_secs(60), 3, 100);
        let t0 = Instant::now();
        for n in 0..3 {
            assert_eq!(t.check("A@x.fr", ip(n), t0), Ok(()));
            t.failed("A@x.fr", ip(n), t0);
        }
        // From any address, and whatever the case of the e-mail.
        let later = t0 + Duration::from_secs(20);
        assert_eq!(
            t.check("a@x.fr", ip(9), later),
            Err(Duration::from_secs(40))
        );
        assert_eq!(t.check("b@x.fr", ip(9), later), Ok(()), "another account");
        assert_eq!(
            t.check("a@x.fr", ip(9), t0 + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn an_address_waits_after_failures_on_many_accounts() {
        let t = Throttle::new(Duration::from_secs(60), 100, 4);
        let t0 = Instant::now();
        for n in 0..4 {
            t.failed(&format!("u{n}@x.fr"), ip(1), t0);
        }
        assert!(t.check("new@x.fr", ip(1), t0).is_err());
        assert_eq!(t.check("new@x.fr", ip(2), t0), Ok(()));
    }

    #[test]
    fn a_success_clears_the_account_not_the_address() {
        let t = Throttle::new(Duration::from_secs(60), 2, 2);
        let t0 = Instant::now();
        t.failed("a@x.fr", ip(1), t0);
        t.failed("a@x.fr", ip(1), t0);
        t.succeeded("a@x.fr");
        assert!(
            t.check("a@x.fr", ip(1), t0).is_err(),
            "the address still waits"
        );
        assert_eq!(t.check("a@x.fr", ip(2), t0), Ok(()));
    }
}

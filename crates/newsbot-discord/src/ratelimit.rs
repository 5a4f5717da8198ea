//! Per-user rate limiting: a token bucket per user. A flood gets one notice, then silence
//! until the bucket refills, so the bot never amplifies spam.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the limit for the first time in this flood: tell the user once.
    Notify,
    /// Still over the limit and already told.
    Drop,
}

struct Bucket {
    tokens: f64,
    last: Instant,
    notified: bool,
}

pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

/// Past this many tracked users, full (idle) buckets are forgotten.
const PRUNE_AT: usize = 10_000;

impl RateLimiter {
    /// `burst` requests at once, refilled at one every `every`.
    pub fn new(burst: u32, every: Duration) -> RateLimiter {
        RateLimiter {
            burst: f64::from(burst.max(1)),
            per_second: 1.0 / every.as_secs_f64().max(1e-3),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, user: u64) -> Verdict {
        self.check_at(user, Instant::now())
    }

    pub fn check_at(&self, user: u64, now: Instant) -> Verdict {
        // A poisoned lock only means another handler panicked mid-update; the map is still
        // usable, and refusing every user afterwards would be worse.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_AT {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * rate < burst
            });
        }
        let b = buckets.entry(user).or_insert(Bucket {
            tokens: self.burst,
            last: now,
            notified: false,
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            b.notified = false;
            Verdict::Allow
        } else if b.notified {
            Verdict::Drop
        } else {
            b.notified = true;
            Verdict::Notify
        }
    }
}

impl Default for RateLimiter {
    /// Five questions at once, then one every three seconds.
    fn default() -> RateLimiter {
        RateLimiter::new(5, Duration::from_secs(3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flood_gets_one_notice_then_recovers() {
        let rl = RateLimiter::new(2, Duration::from_secs(1));
        let t = Instant::now();
        assert_eq!(rl.check_at(1, t), Verdict::Allow);
        assert_eq!(rl.check_at(1, t), Verdict::Allow);
        assert_eq!(rl.check_at(1, t), Verdict::Notify);
        assert_eq!(rl.check_at(1, t), Verdict::Drop);
        assert_eq!(rl.check_at(2, t), Verdict::Allow, "other users unaffected");
        let later = t + Duration::from_secs(1);
        assert_eq!(rl.check_at(1, later), Verdict::Allow);
        assert_eq!(rl.check_at(1, later), Verdict::Notify);
    }
}

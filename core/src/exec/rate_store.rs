//! The limiter's state in Redis, for budgets that many processes share (CI jobs or workers on one key):
//! the same sliding log as [`super::rate_limit`], kept as a sorted set per budget and updated
//! atomically by one Lua script on the Redis server's clock, so every process sees one log and one time.
//! A store that cannot be reached is reported to the caller, which falls back to the in-process limiter.

use std::time::Duration;

use futures_util::future::{select, Either};
use redis::aio::MultiplexedConnection;

use crate::api::RateLimit;
use crate::exec::Sleep;
use crate::secret::Secret;

/// Takes the earliest slot that keeps every window of the budget within the limit; answers the slot's
/// member (to give it back) and the wait in milliseconds. A slot a whole window old is dropped first.
const RESERVE: &str = r"
local key, seq = KEYS[1], KEYS[2]
local per, allowed = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - per)
local count = redis.call('ZCARD', key)
local slot = now
if count >= allowed then
  local oldest = redis.call('ZRANGE', key, count - allowed, count - allowed, 'WITHSCORES')
  slot = math.max(now, tonumber(oldest[2]) + per)
end
local member = slot .. '-' .. redis.call('INCR', seq)
redis.call('ZADD', key, slot, member)
redis.call('PEXPIRE', key, slot - now + per)
redis.call('PEXPIRE', seq, slot - now + per)
return {member, slot - now}
";

/// Gives back a slot if no caller has queued behind it (the same rule as in process).
const RELEASE: &str = r"
local last = redis.call('ZRANGE', KEYS[1], -1, -1)
if last[1] == ARGV[1] then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
";

/// How long the store may take to answer before the call goes on with the in-process limiter.
const STORE_TIMEOUT: Duration = Duration::from_millis(500);

/// A Redis server holding the limiter's budgets.
#[derive(Debug)]
pub(crate) struct RateStore {
    client: redis::Client,
    url: Secret,
}

/// A slot taken in the store.
pub(crate) struct StoreSlot {
    member: String,
    pub(crate) wait: Duration,
}

impl RateStore {
    /// A store at `url` (`redis://host:port/db`); nothing is connected until the first reservation.
    pub(crate) fn open(url: &Secret) -> crate::Result<Self> {
        let client = redis::Client::open(url.expose())
            .map_err(|e| crate::Error::invalid_input("rate_limit_store", url.redact(&e.to_string())))?;
        Ok(Self { client, url: url.clone() })
    }

    /// Reserves a slot under `limit` in the budget `key`.
    pub(crate) async fn reserve(&self, limit: RateLimit, key: &str, sleep: &dyn Sleep) -> Result<StoreSlot, String> {
        let per = limit.per.as_millis().to_string();
        let (member, wait): (String, u64) = self
            .run(sleep, |mut connection| async move {
                redis::Script::new(RESERVE)
                    .key(format!("zkit:{{{key}}}"))
                    .key(format!("zkit:{{{key}}}:seq"))
                    .arg(per)
                    .arg(limit.requests.max(1))
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        Ok(StoreSlot { member, wait: Duration::from_millis(wait) })
    }

    /// Gives back `slot`, whose call never went out.
    pub(crate) async fn release(&self, key: &str, slot: StoreSlot, sleep: &dyn Sleep) -> Result<(), String> {
        self.run(sleep, |mut connection| async move {
            redis::Script::new(RELEASE)
                .key(format!("zkit:{{{key}}}"))
                .arg(slot.member)
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// Connects and runs `command`, within [`STORE_TIMEOUT`]; an error as text, the URL's secrets
    /// redacted.
    async fn run<T, F, Fut>(&self, sleep: &dyn Sleep, command: F) -> Result<T, String>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let work = async {
            let connection = self.client.get_multiplexed_async_connection().await?;
            command(connection).await
        };
        match select(Box::pin(work), sleep.timer(STORE_TIMEOUT)).await {
            Either::Left((Ok(value), _)) => Ok(value),
            Either::Left((Err(e), _)) => Err(self.url.redact(&e.to_string())),
            Either::Right(_) => Err(format!("no answer within {STORE_TIMEOUT:?}")),
        }
    }
}

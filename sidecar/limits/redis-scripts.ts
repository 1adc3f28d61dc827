// The shared limits' and budgets' check-and-charge steps as Lua run by Redis (EVALSHA; ioredis falls
// back to EVAL once after a Redis restart): each runs atomically, and reads the time from Redis's own
// clock (TIME), so replicas whose clocks differ still agree on every window and every UTC day. They
// mirror token-window.ts, request-rate.ts, LocalStore's slots and cost/spend-store.ts.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// A charge is a sorted-set member "e|tokens|requestId" (an estimate) or "s|tokens|requestId" (usage),
// scored by the time it was charged.
const CHARGES = `local function tokens_of(m) return tonumber(string.match(m, '^%a|(%d+)|')) end`;

/** KEYS[1] charges; ARGV requestId, estimate, windowMs, limit → {allowed, remaining, retryAfterMs}. */
export const RESERVE_TOKENS = `${NOW}
${CHARGES}
local estimate, window, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local list = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local used = 0
for i = 1, #list, 2 do used = used + tokens_of(list[i]) end
if used == 0 or used + estimate <= limit then
  if estimate > 0 then
    redis.call('ZADD', KEYS[1], now, 'e|' .. estimate .. '|' .. ARGV[1])
    redis.call('PEXPIRE', KEYS[1], window * 2)
  end
  return {1, math.max(0, limit - used - estimate), 0}
end
local left, free_at = used, now
for i = 1, #list, 2 do
  left = left - tokens_of(list[i])
  free_at = tonumber(list[i + 1]) + window
  if left == 0 or left + estimate <= limit then break end
end
return {0, math.max(0, limit - used), free_at - now}`;

/**
 * KEYS[1] charges; ARGV requestId, prompt (-1: unknown, keep the estimate), completion, windowMs. A
 * request settled already (a write resent after a hang) is not charged again.
 */
export const SETTLE_TOKENS = `${NOW}
local estimate = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local kind, n, id = string.match(m, '^(%a)|(%d+)|(.*)$')
  if id == ARGV[1] then
    if kind == 's' then return tonumber(n) end
    estimate = tonumber(n)
    redis.call('ZREM', KEYS[1], m)
  end
end
local prompt = tonumber(ARGV[2])
if prompt < 0 then prompt = estimate end
local actual = prompt + tonumber(ARGV[3])
if actual > 0 then
  redis.call('ZADD', KEYS[1], now, 's|' .. actual .. '|' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
end
return actual`;

/** KEYS[1] the key's next arrival time; ARGV intervalMs, burst → {allowed, retryAfterMs}. */
export const TAKE_REQUEST = `${NOW}
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - (burst + 1) * interval
if allow_at > now then return {0, math.ceil(allow_at - now)} end
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now) + 1000)
return {1, 0}`;

// The scheduler's queue across replicas: a sorted set per model of waiters "priority|arrivedMs|requestId|backend,…"
// (arrival on Redis's clock), each scored by the end of its lease, which its replica renews. Ranked
// here, on Redis's clock, so every replica sees the same order: effective priority (aging: one level
// per agingStepMs waited) first, then arrival, then request id.
const WAITERS = `local function waiters(key, now, step)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local out = {}
  for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    local p, at, id, pool = string.match(m, '^(%d+)|(%d+)|([^|]*)|(.*)$')
    local rank = tonumber(p)
    if step > 0 then rank = rank + math.floor((now - tonumber(at)) / step) end
    out[#out + 1] = {rank = rank, at = tonumber(at), id = id, pool = pool}
  end
  table.sort(out, function(a, b)
    if a.rank ~= b.rank then return a.rank > b.rank end
    if a.at ~= b.at then return a.at < b.at end
    return a.id < b.id
  end)
  return out
end`;

/**
 * KEYS[1] the key's slots (requestId scored by its lease's end), KEYS[2] (optional) the model's queue;
 * ARGV requestId, max, leaseMs, backend, agingStepMs → {allowed, inUse, behind}. With a queue, a request
 * not yet holding a slot takes one only when the waiters ahead of it that this backend can serve leave
 * a free slot for it (behind = 1 otherwise; every waiter is ahead of a request not in the queue); a
 * waiter that takes one leaves the queue.
 */
export const ACQUIRE_SLOT = `${NOW}
${WAITERS}
local max, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if n >= max then return {0, n, 0} end
  if KEYS[2] then
    local ahead = 0
    for _, w in ipairs(waiters(KEYS[2], now, tonumber(ARGV[5]))) do
      if w.id == ARGV[1] then break end
      if string.find(',' .. w.pool .. ',', ',' .. ARGV[4] .. ',', 1, true) then ahead = ahead + 1 end
    end
    if ahead >= max - n then return {0, n, 1} end
  end
  n = n + 1
  if KEYS[2] then
    for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
      if string.match(m, '^%d+|%d+|([^|]*)|') == ARGV[1] then redis.call('ZREM', KEYS[2], m) end
    end
  end
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return {1, n, 0}`;

/** KEYS[1] the model's queue; ARGV requestId, priority, backends (comma-separated), leaseMs → the waiter's member. */
export const JOIN_QUEUE = `${NOW}
local lease = tonumber(ARGV[4])
local m = ARGV[2] .. '|' .. string.format('%d', now) .. '|' .. ARGV[1] .. '|' .. ARGV[3]
redis.call('ZADD', KEYS[1], now + lease, m)
redis.call('PEXPIRE', KEYS[1], lease * 2)
return m`;

/** KEYS the models' queues; ARGV agingStepMs → per queue, its live waiters in order as "requestId|backends". */
export const RANK_QUEUES = `${NOW}
${WAITERS}
local out = {}
for i, key in ipairs(KEYS) do
  local list = {}
  for _, w in ipairs(waiters(key, now, tonumber(ARGV[1]))) do list[#list + 1] = w.id .. '|' .. w.pool end
  out[i] = list
end
return out`;

/** KEYS[1] a set of leases (slots or waiters); ARGV leaseMs, members… : the leases still held run on from now. */
export const RENEW_SLOTS = `${NOW}
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 0`;

/** KEYS the slot sets → the live slots in each. */
export const COUNT_SLOTS = `${NOW}
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  counts[i] = redis.call('ZCARD', key)
end
return counts`;

/** day_stamp(ms): "2026-12-05", the UTC day of epoch milliseconds (Redis's Lua has no os.date). */
export const DAY_STAMP = `local function day_stamp(ms)
  local z = math.floor(ms / 86400000) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02d', y, m, d)
end`;

/**
 * KEYS[1] the key's spend (a hash of UTC day → USD), KEYS[2] the charge's request id; ARGV usd, keepMs,
 * idTtlMs → 1, or 0 for a request charged already (a write resent after a hang). The day is Redis's.
 */
export const ADD_SPEND = `${NOW}
${DAY_STAMP}
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('HINCRBYFLOAT', KEYS[1], day_stamp(now), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] the key's spend → {Redis's time in ms, day, usd, day, usd…}: the periods are counted on Redis's clock. */
export const READ_SPEND = `${NOW}
local out = {now}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out + 1] = v end
return out`;

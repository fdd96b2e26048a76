//! Hash models: the versioned save and the update, as Lua scripts over
//! HSET, HDEL and HINCRBY(FLOAT) of the named fields only.

use std::sync::LazyLock;

use bytes::Bytes;
use redis_core::{Cmd, Script};

use super::Ops;

/// `KEYS[1]`: the record. `ARGV[1]`: the version field; `ARGV[2]`: the
/// version expected (`0`: no record may exist); `ARGV[3]`: the new version;
/// `ARGV[4]`: the TTL in milliseconds (`0`: leave it); `ARGV[5]`: how many
/// field/value pairs follow; then the pairs; then the fields to remove.
const SAVE_LUA: &str = r"local key = KEYS[1]
local found = redis.call('HGET', key, ARGV[1])
if ARGV[2] == '0' then
  if redis.call('EXISTS', key) == 1 then return {'conflict', found or ''} end
elseif found ~= ARGV[2] then
  return {'conflict', found or ''}
end
local last = 5 + 2 * tonumber(ARGV[5])
if last > 5 then redis.call('HSET', key, unpack(ARGV, 6, last)) end
redis.call('HSET', key, ARGV[1], ARGV[3])
if #ARGV > last then redis.call('HDEL', key, unpack(ARGV, last + 1, #ARGV)) end
if ARGV[4] ~= '0' then redis.call('PEXPIRE', key, ARGV[4]) end
return {'ok'}
";

/// `KEYS[1]`: the record. `ARGV[1]`: the version field (empty: none);
/// `ARGV[2]`: the version expected (empty: no check); `ARGV[3..5]`: how
/// many conditions, field/value pairs to set and increments; then per
/// condition the field and the value it must hold; the pairs; per
/// increment the field, `i` or `f`, and the amount; the fields to remove.
/// Replies `ok` and each increment's new value.
///
/// Everything is checked before anything is written: a script that fails
/// half-way keeps what it wrote.
const UPDATE_LUA: &str = r"local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {'missing'} end
local vf = ARGV[1]
if ARGV[2] ~= '' then
  local found = redis.call('HGET', key, vf)
  if found ~= ARGV[2] then return {'conflict', found or ''} end
end
local conds = 6
local sets = conds + 2 * tonumber(ARGV[3])
local incrs = sets + 2 * tonumber(ARGV[4])
local unsets = incrs + 3 * tonumber(ARGV[5])
for i = conds, sets - 1, 2 do
  if redis.call('HGET', key, ARGV[i]) ~= ARGV[i + 1] then return {'unmet', ARGV[i]} end
end
local function check(field, int, delta)
  local current = redis.call('HGET', key, field) or '0'
  local number = tonumber(current)
  if int and not string.match(current, '^%-?%d+$') then number = nil end
  if number == nil then return {'invalid', field, current} end
  local sum = number + tonumber(delta)
  if sum ~= sum or sum == math.huge or sum == -math.huge or (int and math.abs(sum) >= 9.2e18) then
    return {'invalid', field, current}
  end
end
for i = incrs, unsets - 1, 3 do
  local bad = check(ARGV[i], ARGV[i + 1] == 'i', ARGV[i + 2])
  if bad then return bad end
end
if vf ~= '' then
  local bad = check(vf, true, '1')
  if bad then return bad end
end
if incrs > sets then redis.call('HSET', key, unpack(ARGV, sets, incrs - 1)) end
local reply = {'ok'}
for i = incrs, unsets - 1, 3 do
  if ARGV[i + 1] == 'i' then
    reply[#reply + 1] = tostring(redis.call('HINCRBY', key, ARGV[i], ARGV[i + 2]))
  else
    reply[#reply + 1] = redis.call('HINCRBYFLOAT', key, ARGV[i], ARGV[i + 2])
  end
end
if #ARGV >= unsets then redis.call('HDEL', key, unpack(ARGV, unsets, #ARGV)) end
if vf ~= '' then redis.call('HINCRBY', key, vf, 1) end
return reply
";

pub(super) static SAVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(SAVE_LUA));
pub(super) static UPDATE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(UPDATE_LUA));

/// The arguments of the versioned save script for the fields `hset` (an
/// `HSET key f v ...`) writes and the fields `absent` removes.
pub(crate) fn save_arguments(
    hset: &Cmd,
    absent: &[&'static str],
    version_field: &str,
    expected: u64,
    ttl_millis: u64,
) -> Vec<Bytes> {
    // The pairs after the name and the key, but the version field's: the script writes
    // the new version itself.
    let mut pairs: Vec<Bytes> = Vec::new();
    let mut args = hset.args().skip(2);
    while let (Some(field), Some(value)) = (args.next(), args.next()) {
        if field != version_field.as_bytes() {
            pairs.push(Bytes::copy_from_slice(field));
            pairs.push(Bytes::copy_from_slice(value));
        }
    }
    let mut argv = vec![
        Bytes::copy_from_slice(version_field.as_bytes()),
        Bytes::from(expected.to_string()),
        Bytes::from((expected + 1).to_string()),
        Bytes::from(ttl_millis.to_string()),
        Bytes::from((pairs.len() / 2).to_string()),
    ];
    argv.extend(pairs);
    argv.extend(
        absent
            .iter()
            .filter(|field| **field != version_field)
            .map(|field| Bytes::from_static(field.as_bytes())),
    );
    argv
}

/// The update script's `ARGV` for `ops`, after the version field (empty:
/// none) and the version expected (empty: no check).
pub(super) fn update_arguments(version: &[u8], expected: Bytes, ops: Ops) -> Vec<Bytes> {
    let mut argv = vec![
        Bytes::copy_from_slice(version),
        expected,
        Bytes::from(ops.conditions.len().to_string()),
        Bytes::from(ops.sets.len().to_string()),
        Bytes::from(ops.incrs.len().to_string()),
    ];
    for (field, value) in ops.conditions.into_iter().chain(ops.sets) {
        argv.push(Bytes::from_static(field.as_bytes()));
        argv.push(value);
    }
    for incr in ops.incrs {
        argv.push(Bytes::from_static(incr.field.as_bytes()));
        argv.push(Bytes::from_static(if incr.float { b"f" } else { b"i" }));
        argv.push(incr.amount);
    }
    argv.extend(
        ops.unsets
            .into_iter()
            .map(|field| Bytes::from_static(field.as_bytes())),
    );
    argv
}

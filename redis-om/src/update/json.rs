//! JSON models: the versioned save and the update, as Lua scripts over
//! JSON.SET, JSON.NUMINCRBY, JSON.ARRAPPEND and JSON.DEL at the named
//! fields' paths only.

use std::sync::LazyLock;

use bytes::Bytes;
use redis_core::Script;

use super::Ops;

/// `KEYS[1]`: the document. `ARGV[1]`: the version's path; `ARGV[2]`: the
/// version expected (`0`: no document may exist); `ARGV[3]`: the new
/// document; `ARGV[4]`: the new version; `ARGV[5]`: the TTL in
/// milliseconds (`0`: leave it).
const SAVE_LUA: &str = r"local key = KEYS[1]
local found = ''
if redis.call('EXISTS', key) == 1 then
  found = string.match(redis.call('JSON.GET', key, ARGV[1]), '^%[(%-?%d+)%]$') or ''
  if ARGV[2] == '0' then return {'conflict', found} end
end
if ARGV[2] ~= '0' and found ~= ARGV[2] then return {'conflict', found} end
redis.call('JSON.SET', key, '$', ARGV[3])
redis.call('JSON.SET', key, ARGV[1], ARGV[4])
if ARGV[5] ~= '0' then redis.call('PEXPIRE', key, ARGV[5]) end
return {'ok'}
";

/// `KEYS[1]`: the document. `ARGV[1]`: the version's path (empty: none);
/// `ARGV[2]`: the version expected (empty: no check); `ARGV[3..7]`: how
/// many conditions, values to set, increments, appends and removals; then
/// per condition the path and the JSON value it must hold (compared as
/// decoded values, so `1.0` equals `1`); per set the path and the JSON
/// value; per increment the path, `i` or `f`, and the amount; per append
/// the path and the JSON value; the paths to remove. Replies `ok` and each
/// increment's new value.
///
/// Everything is checked before anything is written: a script that fails
/// half-way keeps what it wrote.
const UPDATE_LUA: &str = r"local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {'missing'} end
local function number(path)
  return string.match(redis.call('JSON.GET', key, path), '^%[(.*)%]$')
end
local vpath = ARGV[1]
if ARGV[2] ~= '' then
  local found = string.match(redis.call('JSON.GET', key, vpath), '^%[(%-?%d+)%]$')
  if found ~= ARGV[2] then return {'conflict', found or ''} end
end
local conds = 8
local sets = conds + 2 * tonumber(ARGV[3])
local incrs = sets + 2 * tonumber(ARGV[4])
local appends = incrs + 3 * tonumber(ARGV[5])
local unsets = appends + 2 * tonumber(ARGV[6])
for i = conds, sets - 1, 2 do
  local found = cjson.decode(redis.call('JSON.GET', key, ARGV[i]))[1]
  if found == nil or found ~= cjson.decode(ARGV[i + 1]) then return {'unmet', ARGV[i]} end
end
local function kind(path)
  return redis.call('JSON.TYPE', key, path)[1]
end
local function check(path, int, delta)
  local found = kind(path)
  if not (found == 'integer' or (found == 'number' and not int)) then
    return {'invalid', path, number(path) or 'nothing'}
  end
  local sum = tonumber(number(path)) + tonumber(delta)
  if sum ~= sum or sum == math.huge or sum == -math.huge or (int and math.abs(sum) >= 9.2e18) then
    return {'invalid', path, number(path)}
  end
end
for i = incrs, appends - 1, 3 do
  local bad = check(ARGV[i], ARGV[i + 1] == 'i', ARGV[i + 2])
  if bad then return bad end
end
for i = appends, unsets - 1, 2 do
  if kind(ARGV[i]) ~= 'array' then return {'invalid', ARGV[i], number(ARGV[i]) or 'nothing'} end
end
if vpath ~= '' then
  local bad = check(vpath, true, '1')
  if bad then return bad end
end
for i = sets, incrs - 1, 2 do redis.call('JSON.SET', key, ARGV[i], ARGV[i + 1]) end
local reply = {'ok'}
for i = incrs, appends - 1, 3 do
  local new = redis.call('JSON.NUMINCRBY', key, ARGV[i], ARGV[i + 2])
  reply[#reply + 1] = string.match(new, '^%[(.*)%]$') or new
end
for i = appends, unsets - 1, 2 do redis.call('JSON.ARRAPPEND', key, ARGV[i], ARGV[i + 1]) end
for i = unsets, #ARGV do redis.call('JSON.DEL', key, ARGV[i]) end
if vpath ~= '' then redis.call('JSON.NUMINCRBY', key, vpath, 1) end
return reply
";

pub(super) static SAVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(SAVE_LUA));
pub(super) static UPDATE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(UPDATE_LUA));

/// The JSONPath of a top-level member: `$.name`.
pub(crate) fn path(name: &str) -> Bytes {
    Bytes::from(format!("$.{name}"))
}

/// The versioned save's `ARGV` for `document`, whose version field holds
/// `expected`.
pub(crate) fn save_arguments(
    document: Vec<u8>,
    version_field: &str,
    expected: u64,
    ttl_millis: u64,
) -> Vec<Bytes> {
    vec![
        path(version_field),
        Bytes::from(expected.to_string()),
        Bytes::from(document),
        Bytes::from((expected + 1).to_string()),
        Bytes::from(ttl_millis.to_string()),
    ]
}

/// The update script's `ARGV` for `ops`, after the version field (empty:
/// none) and the version expected (empty: no check).
pub(super) fn update_arguments(version: &str, expected: Bytes, ops: Ops) -> Vec<Bytes> {
    let mut argv = vec![
        if version.is_empty() {
            Bytes::new()
        } else {
            path(version)
        },
        expected,
        Bytes::from(ops.conditions.len().to_string()),
        Bytes::from(ops.sets.len().to_string()),
        Bytes::from(ops.incrs.len().to_string()),
        Bytes::from(ops.appends.len().to_string()),
        Bytes::from(ops.unsets.len().to_string()),
    ];
    for (field, value) in ops.conditions.into_iter().chain(ops.sets) {
        argv.push(path(field));
        argv.push(value);
    }
    for incr in ops.incrs {
        argv.push(path(incr.field));
        argv.push(Bytes::from_static(if incr.float { b"f" } else { b"i" }));
        argv.push(incr.amount);
    }
    for (field, value) in ops.appends {
        argv.push(path(field));
        argv.push(value);
    }
    argv.extend(ops.unsets.into_iter().map(path));
    argv
}

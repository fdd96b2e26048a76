//! RediSearch commands (FT.*): indexes over hashes and JSON documents,
//! full-text, numeric, tag, geo and vector queries, aggregations,
//! suggestions and spell checking.
//!
//! Queries are the server's query strings here. Values that come from users
//! belong in parameters (`$name` in the query, [`SearchOptions::param`]),
//! never pasted into the query text, so they need no escaping.
//!
//! Replies convert to the same Rust values from RESP2 and RESP3, although
//! the server shapes them very differently (RESP3 maps with `results` and
//! `extra_attributes`, RESP2 flat arrays).

mod admin;
mod aggregate;
mod dictionary;
mod fragments;
mod profile;
mod schema;
mod search_filters;
mod search_options;
mod search_reply;
mod sort;
mod support;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

pub use admin::*;
pub use aggregate::*;
pub use dictionary::*;
pub use fragments::*;
pub use profile::*;
pub use schema::*;
pub use search_filters::*;
pub use search_options::*;
pub use search_reply::*;
pub use sort::*;

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// The RediSearch commands: `FT.CREATE`, `FT.SEARCH`, `FT.AGGREGATE`
    /// and the rest.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::{AggregateOptions, AggregateResult, CreateIndexOptions, Field, IndexOn, Reducer, Schema, SearchOptions, SearchResult, SortProperty};
    /// use redis_core::prelude::*;
    ///
    /// let schema = Schema::new(Field::text("name").sortable()).field(Field::numeric("age"));
    /// let on_people = CreateIndexOptions::new().on(IndexOn::Hash).prefix("person:");
    /// client.ft_create_with("people", &on_people, &schema).await?;
    /// client.hset("person:1", &[("name", "Ada Lovelace"), ("age", "36")]).await?;
    ///
    /// // The user's input travels as a parameter, never inside the query.
    /// let name = "Ada";
    /// let found: SearchResult = client
    ///     .ft_search_with(
    ///         "people",
    ///         "@name:$name @age:[18 +inf]",
    ///         &SearchOptions::new().param("name", name),
    ///     )
    ///     .await?;
    /// for person in &found.documents {
    ///     println!("{}: {:?}", person.id, person.fields.get("name"));
    /// }
    ///
    /// let by_age: AggregateResult = client
    ///     .ft_aggregate(
    ///         "people",
    ///         "*",
    ///         &AggregateOptions::new()
    ///             .group_by(["@age"], [Reducer::count().alias("people")])
    ///             .sort_by([SortProperty::desc("@people")]),
    ///     )
    ///     .await?;
    /// # let _ = by_age; Ok(()) }
    /// ```
    pub trait SearchCommands;

    /// `FT.CREATE index SCHEMA ...`: an index over every hash in the
    /// database with this schema.
    fn ft_create(index: impl ToArgs, schema: &Schema) -> () {
        Cmd::new("FT.CREATE").arg(index).arg("SCHEMA").arg(schema)
    }

    /// `FT.CREATE index [ON ...] [PREFIX ...] ... SCHEMA ...`: an index
    /// with options (JSON documents, key prefixes, storage, stop words ...).
    fn ft_create_with(index: impl ToArgs, options: &CreateIndexOptions, schema: &Schema) -> () {
        Cmd::new("FT.CREATE").arg(index).arg(options).arg("SCHEMA").arg(schema)
    }

    /// `FT.ALTER index SCHEMA ADD ...`: adds fields to an index and
    /// reindexes the existing keys.
    fn ft_alter(index: impl ToArgs, fields: &Schema) -> () {
        Cmd::new("FT.ALTER").arg(index).arg("SCHEMA").arg("ADD").arg(fields)
    }

    /// `FT.ALTER index [SKIPINITIALSCAN] SCHEMA ADD ...`: adds fields, and
    /// says whether existing keys are reindexed.
    fn ft_alter_with(index: impl ToArgs, fields: &Schema, scan: InitialScan) -> () {
        Cmd::new("FT.ALTER").arg(index).arg(scan).arg("SCHEMA").arg("ADD").arg(fields)
    }

    /// `FT.DROPINDEX index`: deletes the index; the documents stay.
    fn ft_dropindex(index: impl ToArgs) -> () {
        Cmd::new("FT.DROPINDEX").arg(index)
    }

    /// `FT.DROPINDEX index DD`: deletes the index and the documents it holds.
    fn ft_dropindex_delete_docs(index: impl ToArgs) -> () {
        Cmd::new("FT.DROPINDEX").arg(index).arg("DD")
    }

    /// `FT.INFO index`: the index's definition, fields and state.
    fn ft_info(index: impl ToArgs) -> IndexInfo {
        Cmd::new("FT.INFO").arg(index)
    }

    /// `FT._LIST`: the names of every index.
    fn ft_list() -> Vec<String> {
        Cmd::new("FT._LIST")
    }

    /// `FT.ALIASADD alias index`: `alias` names the index too (an error if
    /// it names another one already).
    fn ft_aliasadd(alias: impl ToArgs, index: impl ToArgs) -> () {
        Cmd::new("FT.ALIASADD").arg(alias).arg(index)
    }

    /// `FT.ALIASUPDATE alias index`: `alias` names this index from now on,
    /// whichever it named before.
    fn ft_aliasupdate(alias: impl ToArgs, index: impl ToArgs) -> () {
        Cmd::new("FT.ALIASUPDATE").arg(alias).arg(index)
    }

    /// `FT.ALIASDEL alias`: removes the alias (the index stays).
    fn ft_aliasdel(alias: impl ToArgs) -> () {
        Cmd::new("FT.ALIASDEL").arg(alias)
    }

    /// `FT.SEARCH index query`: the first 10 matching documents by
    /// relevance, each with its fields as `T`.
    fn ft_search<T: FromValue>(index: impl ToArgs, query: impl ToArgs) -> SearchResult<T> {
        Cmd::new("FT.SEARCH").arg(index).arg(query).arg(SearchOptions::new())
    }

    /// `FT.SEARCH index query ...`: with options (parameters, which fields,
    /// sorting, paging, filters, highlighting ...).
    fn ft_search_with<T: FromValue>(
        index: impl ToArgs,
        query: impl ToArgs,
        options: &SearchOptions,
    ) -> SearchResult<T> {
        Cmd::new("FT.SEARCH").arg(index).arg(query).arg(options)
    }

    /// `FT.AGGREGATE index query ...`: runs the pipeline over the matching
    /// documents; each row converts to `T`.
    fn ft_aggregate<T: FromValue>(
        index: impl ToArgs,
        query: impl ToArgs,
        pipeline: &AggregateOptions,
    ) -> AggregateResult<T> {
        Cmd::new("FT.AGGREGATE").arg(index).arg(query).arg(pipeline)
    }

    /// `FT.CURSOR READ index cursor`: the next batch of an aggregation
    /// started with [`AggregateOptions::with_cursor`], and the cursor for
    /// the one after (`None` once all is read, when the server deletes it).
    fn ft_cursor_read<T: FromValue>(index: impl ToArgs, cursor: u64) -> AggregateResult<T> {
        Cmd::new("FT.CURSOR").arg("READ").arg(index).arg(cursor)
    }

    /// `FT.CURSOR READ index cursor COUNT count`: the next batch, of up to
    /// `count` rows.
    fn ft_cursor_read_with<T: FromValue>(
        index: impl ToArgs,
        cursor: u64,
        count: u64,
    ) -> AggregateResult<T> {
        Cmd::new("FT.CURSOR").arg("READ").arg(index).arg(cursor).arg("COUNT").arg(count)
    }

    /// `FT.CURSOR DEL index cursor`: deletes a cursor not read to the end.
    fn ft_cursor_del(index: impl ToArgs, cursor: u64) -> () {
        Cmd::new("FT.CURSOR").arg("DEL").arg(index).arg(cursor)
    }

    /// `FT.EXPLAIN index query`: how the server parses the query, as a tree
    /// in text.
    fn ft_explain(index: impl ToArgs, query: impl ToArgs) -> String {
        Cmd::new("FT.EXPLAIN").arg(index).arg(query)
    }

    /// `FT.EXPLAIN index query DIALECT dialect`: the parse in this dialect.
    fn ft_explain_with(index: impl ToArgs, query: impl ToArgs, dialect: u32) -> String {
        Cmd::new("FT.EXPLAIN").arg(index).arg(query).arg("DIALECT").arg(dialect)
    }

    /// `FT.EXPLAIN index query PARAMS ... DIALECT 2`: the parse of a query
    /// that names parameters (`$name`), with their values.
    fn ft_explain_params(
        index: impl ToArgs,
        query: impl ToArgs,
        params: &[(String, String)],
    ) -> String {
        let mut cmd = Cmd::new("FT.EXPLAIN").arg(index).arg(query);
        let params: Vec<(String, Vec<u8>)> = params
            .iter()
            .map(|(name, value)| (name.clone(), value.as_bytes().to_vec()))
            .collect();
        search_options::write_params_and_dialect(&mut cmd, &params, Some(2));
        cmd
    }

    /// `FT.EXPLAINCLI index query`: the parse tree, one line per element.
    fn ft_explaincli(index: impl ToArgs, query: impl ToArgs) -> Vec<String> {
        Cmd::new("FT.EXPLAINCLI").arg(index).arg(query)
    }

    /// `FT.EXPLAINCLI index query DIALECT dialect`: the parse in this dialect,
    /// one line per element.
    fn ft_explaincli_with(index: impl ToArgs, query: impl ToArgs, dialect: u32) -> Vec<String> {
        Cmd::new("FT.EXPLAINCLI").arg(index).arg(query).arg("DIALECT").arg(dialect)
    }

    /// `FT.PROFILE index SEARCH [LIMITED] QUERY query ...`: runs the search
    /// and reports where its time went.
    fn ft_profile_search<T: FromValue>(
        index: impl ToArgs,
        detail: ProfileDetail,
        query: impl ToArgs,
        options: &SearchOptions,
    ) -> Profile<SearchResult<T>> {
        Cmd::new("FT.PROFILE")
            .arg(index)
            .arg("SEARCH")
            .arg(detail)
            .arg("QUERY")
            .arg(query)
            .arg(options)
    }

    /// `FT.PROFILE index AGGREGATE [LIMITED] QUERY query ...`: runs the
    /// aggregation and reports where its time went.
    fn ft_profile_aggregate<T: FromValue>(
        index: impl ToArgs,
        detail: ProfileDetail,
        query: impl ToArgs,
        pipeline: &AggregateOptions,
    ) -> Profile<AggregateResult<T>> {
        Cmd::new("FT.PROFILE")
            .arg(index)
            .arg("AGGREGATE")
            .arg(detail)
            .arg("QUERY")
            .arg(query)
            .arg(pipeline)
    }

    /// `FT.SPELLCHECK index query`: the query's terms the index does not
    /// know, with suggestions.
    fn ft_spellcheck(index: impl ToArgs, query: impl ToArgs) -> SpellcheckResult {
        Cmd::new("FT.SPELLCHECK").arg(index).arg(query)
    }

    /// `FT.SPELLCHECK index query ...`: with a distance and dictionaries.
    fn ft_spellcheck_with(
        index: impl ToArgs,
        query: impl ToArgs,
        options: &SpellcheckOptions,
    ) -> SpellcheckResult {
        Cmd::new("FT.SPELLCHECK").arg(index).arg(query).arg(options)
    }

    /// `FT.SUGADD key string score`: adds a suggestion (or sets its score);
    /// the number of suggestions in the dictionary.
    fn ft_sugadd(key: impl ToArgs, string: impl ToArgs, score: f64) -> u64 {
        Cmd::new("FT.SUGADD").arg(key).arg(string).arg(score)
    }

    /// `FT.SUGADD key string score [INCR] [PAYLOAD payload]`.
    fn ft_sugadd_with(
        key: impl ToArgs,
        string: impl ToArgs,
        score: f64,
        options: &SugAddOptions,
    ) -> u64 {
        Cmd::new("FT.SUGADD").arg(key).arg(string).arg(score).arg(options)
    }

    /// `FT.SUGGET key prefix`: up to 5 suggestions for the prefix, best first.
    fn ft_sugget(key: impl ToArgs, prefix: impl ToArgs) -> Vec<String> {
        Cmd::new("FT.SUGGET").arg(key).arg(prefix)
    }

    /// `FT.SUGGET key prefix [FUZZY] [MAX n] WITHSCORES WITHPAYLOADS`:
    /// suggestions with their scores and payloads (as `P`).
    fn ft_sugget_with<P: FromValue>(
        key: impl ToArgs,
        prefix: impl ToArgs,
        options: &SugGetOptions,
    ) -> Vec<Suggestion<P>> {
        // Both, always: the reply is a flat array whose layout depends on
        // them, and a suggestion without its score is `ft_sugget`.
        Cmd::new("FT.SUGGET")
            .arg(key)
            .arg(prefix)
            .arg(options)
            .arg("WITHSCORES")
            .arg("WITHPAYLOADS")
    }

    /// `FT.SUGDEL key string`: whether the suggestion was there.
    fn ft_sugdel(key: impl ToArgs, string: impl ToArgs) -> bool {
        Cmd::new("FT.SUGDEL").arg(key).arg(string)
    }

    /// `FT.SUGLEN key`: how many suggestions the dictionary holds.
    fn ft_suglen(key: impl ToArgs) -> u64 {
        Cmd::new("FT.SUGLEN").arg(key)
    }

    /// `FT.SYNUPDATE index group term...`: adds the terms to a synonym
    /// group (creating it) and reindexes existing keys.
    fn ft_synupdate(index: impl ToArgs, group: impl ToArgs, terms: impl ToArgs) -> () {
        Cmd::new("FT.SYNUPDATE").arg(index).arg(group).arg(terms)
    }

    /// `FT.SYNUPDATE index group [SKIPINITIALSCAN] term...`.
    fn ft_synupdate_with(
        index: impl ToArgs,
        group: impl ToArgs,
        scan: InitialScan,
        terms: impl ToArgs,
    ) -> () {
        Cmd::new("FT.SYNUPDATE").arg(index).arg(group).arg(scan).arg(terms)
    }

    /// `FT.SYNDUMP index`: each term with the synonym groups it belongs to.
    fn ft_syndump(index: impl ToArgs) -> HashMap<String, Vec<String>> {
        Cmd::new("FT.SYNDUMP").arg(index)
    }

    /// `FT.DICTADD dict term...`: how many terms were new.
    fn ft_dictadd(dict: impl ToArgs, terms: impl ToArgs) -> u64 {
        Cmd::new("FT.DICTADD").arg(dict).arg(terms)
    }

    /// `FT.DICTDEL dict term...`: how many terms were there and are gone.
    fn ft_dictdel(dict: impl ToArgs, terms: impl ToArgs) -> u64 {
        Cmd::new("FT.DICTDEL").arg(dict).arg(terms)
    }

    /// `FT.DICTDUMP dict`: every term of the dictionary.
    fn ft_dictdump(dict: impl ToArgs) -> Vec<String> {
        Cmd::new("FT.DICTDUMP").arg(dict)
    }

    /// `FT.TAGVALS index field`: the distinct values of a tag field.
    fn ft_tagvals(index: impl ToArgs, field: impl ToArgs) -> Vec<String> {
        Cmd::new("FT.TAGVALS").arg(index).arg(field)
    }

    /// `FT.CONFIG GET pattern`: the search module's settings matching the
    /// pattern (`*` for all), each with its value (`None` when unset).
    fn ft_config_get(pattern: impl ToArgs) -> HashMap<String, Option<String>> {
        Cmd::new("FT.CONFIG").arg("GET").arg(pattern)
    }

    /// `FT.CONFIG SET option value`: changes a search module setting for
    /// the whole server.
    fn ft_config_set(option: impl ToArgs, value: impl ToArgs) -> () {
        Cmd::new("FT.CONFIG").arg("SET").arg(option).arg(value)
    }
}

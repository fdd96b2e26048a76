//! Search indexes on a cluster. RediSearch on an open-source cluster has
//! no coordinator: each primary indexes only its own keys, and the cluster
//! routes an index's name as a key. So every shard gets an index of its
//! own, named with a hash tag that shard serves (`products:index{3}`),
//! created on each by the [`Migrator`](crate::Migrator), and queries ask
//! every shard's index and merge the answers. On one server there is one
//! shard and the index keeps its name, and so it does on a cluster when it
//! holds a hash tag (`{tenant}:products:index`): then it is one index on the
//! primary serving that tag, for a model whose key prefix has the same tag.

use redis_core::{Error, ErrorKind, Executor, Result};

/// The name of `index`'s index on each shard, one per primary: `index`
/// itself on one server, `index{tag}` on a cluster.
pub(crate) fn shard_indexes(executor: &impl Executor, index: &str) -> Result<Vec<String>> {
    let primaries = executor.primaries();
    let tags: Vec<Option<String>> = primaries
        .iter()
        .map(|primary| executor.hash_tag_of(primary))
        .collect();
    if tags.iter().all(Option::is_none) {
        return Ok(vec![index.to_owned()]);
    }
    // A name with a hash tag of its own lives in that tag's slot: one index on the primary
    // that serves it, for a model whose keys carry the same tag (all of them on that primary).
    if redis_core::cluster::hash_tag(index.as_bytes()).is_some() {
        return Ok(vec![index.to_owned()]);
    }
    // The cluster hashes from the first `{`: an unclosed or empty `{}` would keep the
    // shard's tag appended to the name from choosing the shard.
    if index.contains('{') {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "the search index name {index} holds a `{{` that is no hash tag, which would \
                 keep the shard's tag appended to it from choosing the shard: give the model \
                 an index name without braces, or with a whole hash tag (`{{tenant}}:index`) \
                 shared with its key prefix, to use it on a cluster"
            ),
        ));
    }
    primaries
        .iter()
        .zip(tags)
        .map(|(primary, tag)| match tag {
            Some(tag) => Ok(format!("{index}{tag}")),
            None => Err(Error::new(
                ErrorKind::Io,
                format!(
                    "the primary {primary} serves no slot any more: the cluster is changing; \
                     try again once it settled"
                ),
            )),
        })
        .collect()
}

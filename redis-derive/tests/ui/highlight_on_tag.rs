use redis_om::{RedisModel, Repository, query};

#[derive(RedisModel)]
struct Article {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    author: String,
}

fn run(articles: Repository<Article, redis_om::core::Client>) {
    // A TAG field has no terms to mark up.
    let _ = articles.find(query::all()).highlight(Article::author());
}

fn main() {}

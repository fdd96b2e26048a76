//! The object-mapper workloads, written once over [`OmColumn`]: redis-om's repository and the
//! same commands by hand with redis-core.

use std::time::Instant;

use redis_core::Client;
use redis_om::Repository;

use super::by_hand;
use super::models::{self, Order, RECORDS, SAVE_MANY, User};
use crate::clients::Result;
use crate::workload::{Limit, Sample};

/// One row of the object-mapper table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OmWorkload {
    /// Save, then get, of the 10-field hash model.
    Hash10,
    /// Save, then get, of the JSON model with a nested struct and `Vec`s.
    Json,
    /// `save_many` of 10,000 hash models.
    SaveMany,
}

impl OmWorkload {
    /// Every workload, in table order.
    pub const ALL: [OmWorkload; 3] = [OmWorkload::Hash10, OmWorkload::Json, OmWorkload::SaveMany];

    /// Its name on the command line, in the table and in the Python driver's protocol.
    pub fn name(self) -> &'static str {
        match self {
            OmWorkload::Hash10 => "om_hash10",
            OmWorkload::Json => "om_json",
            OmWorkload::SaveMany => "om_save_many",
        }
    }

    /// The unit of its figure.
    pub fn unit(self) -> &'static str {
        match self {
            OmWorkload::Hash10 | OmWorkload::Json => "pairs/s",
            OmWorkload::SaveMany => "models/s",
        }
    }
}

/// The Rust columns of the object-mapper table.
pub const RUST_COLUMNS: [&str; 2] = ["redis-om", "by-hand"];

/// What a column does for one step of each workload; every method checks what it read back.
pub trait OmColumn {
    /// Saves `user`, reads it back, fails unless the two are equal.
    async fn hash_pair(&self, user: &User) -> Result<()>;
    /// Saves `order`, reads it back, fails unless the two are equal.
    async fn json_pair(&self, order: &Order) -> Result<()>;
    /// Saves every user in as few round trips as the column allows.
    async fn save_many(&self, users: &[User]) -> Result<()>;
}

/// The object mapper: one repository per model over a clone of the client.
pub struct Om {
    users: Repository<User, Client>,
    orders: Repository<Order, Client>,
}

impl Om {
    /// The repositories over `client`.
    pub fn new(client: &Client) -> Om {
        Om {
            users: Repository::new(client.clone()),
            orders: Repository::new(client.clone()),
        }
    }
}

impl OmColumn for Om {
    async fn hash_pair(&self, user: &User) -> Result<()> {
        let pk = self.users.save(user).await?;
        check_pk(&pk, &user.id)?;
        check_same("redis-om get", self.users.get(&pk).await?.as_ref(), user)
    }

    async fn json_pair(&self, order: &Order) -> Result<()> {
        let pk = self.orders.save(order).await?;
        check_pk(&pk, &order.id)?;
        check_same("redis-om get", self.orders.get(&pk).await?.as_ref(), order)
    }

    async fn save_many(&self, users: &[User]) -> Result<()> {
        let pks = self.users.save_many(users).await?;
        if pks.len() != users.len() || pks.iter().zip(users).any(|(pk, user)| *pk != user.id) {
            return Err(format!("save_many of {} users returned other keys", users.len()).into());
        }
        Ok(())
    }
}

/// The same commands, written by hand with redis-core.
pub struct ByHand(pub Client);

impl OmColumn for ByHand {
    async fn hash_pair(&self, user: &User) -> Result<()> {
        by_hand::save_user(&self.0, user).await?;
        let got = by_hand::get_user(&self.0, &user.id).await?;
        check_same("HGETALL by hand", got.as_ref(), user)
    }

    async fn json_pair(&self, order: &Order) -> Result<()> {
        by_hand::save_order(&self.0, order).await?;
        let got = by_hand::get_order(&self.0, &order.id).await?;
        check_same("JSON.GET by hand", got.as_ref(), order)
    }

    async fn save_many(&self, users: &[User]) -> Result<()> {
        by_hand::save_users(&self.0, users).await
    }
}

fn check_pk(pk: &str, id: &str) -> Result<()> {
    if pk != id {
        return Err(format!("save returned the key {pk:?} for the model {id:?}").into());
    }
    Ok(())
}

fn check_same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    got: Option<&T>,
    saved: &T,
) -> Result<()> {
    match got {
        Some(got) if got == saved => Ok(()),
        Some(got) => Err(format!("{what} read {got:?} after saving {saved:?}").into()),
        None => Err(format!("{what} found nothing after saving {saved:?}").into()),
    }
}

/// The models the Rust columns save, and the step counter that makes every save differ from
/// the one before (a column that skipped a write would read a stale value and fail).
pub struct OmData {
    users: Vec<User>,
    orders: Vec<Order>,
    step: u64,
}

impl OmData {
    /// The fixed data set.
    pub fn new() -> OmData {
        OmData {
            users: (0..SAVE_MANY).map(models::user).collect(),
            orders: (0..RECORDS).map(models::order).collect(),
            step: 0,
        }
    }
}

/// Runs `workload` on `column` unmeasured for `warmup`, then measured until `limit`.
/// `checker` reads one saved field back after each `save_many` step.
pub async fn measure<C: OmColumn>(
    workload: OmWorkload,
    column: &C,
    checker: &Client,
    data: &mut OmData,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    run_for(workload, column, checker, data, warmup).await?;
    let started = Instant::now();
    let units = run_for(workload, column, checker, data, limit).await?;
    Ok(Sample {
        rate: units as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

async fn run_for<C: OmColumn>(
    workload: OmWorkload,
    column: &C,
    checker: &Client,
    data: &mut OmData,
    limit: Limit,
) -> Result<u64> {
    let deadline = Instant::now() + limit.duration;
    let steps = limit.steps.unwrap_or(u64::MAX);
    let mut units = 0;
    let mut done = 0;
    while done < steps && Instant::now() < deadline {
        data.step += 1;
        let step = data.step;
        let index = step as usize % RECORDS;
        units += match workload {
            OmWorkload::Hash10 => {
                let user = &mut data.users[index];
                user.visits = step;
                column.hash_pair(user).await?;
                1
            }
            OmWorkload::Json => {
                let order = &mut data.orders[index];
                order.version = step;
                column.json_pair(order).await?;
                1
            }
            OmWorkload::SaveMany => {
                for user in &mut data.users {
                    user.visits = step;
                }
                column.save_many(&data.users).await?;
                check_saved(
                    checker,
                    &data.users[(step as usize * 7919) % SAVE_MANY],
                    step,
                )
                .await?;
                SAVE_MANY as u64
            }
        };
        done += 1;
    }
    Ok(units)
}

/// Fails unless the stored `visits` of `user` is `step`: one HGET per 10,000 models saved.
async fn check_saved(client: &Client, user: &User, step: u64) -> Result<()> {
    let stored: Option<String> = redis_core::Cmd::new("HGET")
        .arg(by_hand::user_key(&user.id))
        .arg("visits")
        .query(client)
        .await?;
    if stored.as_deref() != Some(step.to_string().as_str()) {
        return Err(format!(
            "after save_many of step {step}, {} holds visits {stored:?}",
            user.id
        )
        .into());
    }
    Ok(())
}

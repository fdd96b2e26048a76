"""Redis OM Python and plain redis-py on the object-mapper workloads of `cargo xtask bench`.

Driven by the Rust bench (bench/src/om/python.rs), one line at a time on stdin (the
feature table's rows `lock`, `stream_worker1` and `stream_worker16` too, column `redis-py`:
see the class Features):

    run WORKLOAD COLUMN WARMUP_S DURATION_S STEPS    ->  ok RATE | error MESSAGE

COLUMN is `om-python` (Redis OM Python 1.2's HashModel, JsonModel and EmbeddedJsonModel)
or `redis-py` (the same commands by hand, the objects built from the replies by hand).
The models and their values are those of bench/src/om/models.rs, with one difference: the
primary key is Redis OM Python's own `pk` field rather than `id` (a field declared with
`Field(primary_key=True)` leaves the inherited `pk` in place, which then stores an extra
generated ULID in every record). Keys are `bench:pyh:{pk}` and `bench:pyj:{pk}`, apart from
the Rust columns'. Every reply is checked; a failed check is an error.

The update rows call `model.update(...)` (a whole save in Redis OM Python 1.2) against a
hand-written HSET / JSON.SET of the fields; om_find queries its own copy of the users
(`bench:pyf:{pk}`, model OmFindUser, index created by Redis OM Python's migrator function).
A workload's records are written before its first run (`Columns.prepare`), unmeasured.
om_update2_versioned has no Python peer (Redis OM Python has no versions): the Rust bench
never asks for it.
"""

import argparse
import dataclasses
import hashlib
import os
import sys
import time
from importlib.metadata import version
from typing import List, Optional

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
ARGS = parser.parse_args()
# Read by redis_om when it is imported: the connection of models without a Meta.database
# (the embedded ones) and of its module checks.
os.environ["REDIS_OM_URL"] = ARGS.url

import redis  # noqa: E402
from redis.commands.search.query import Query  # noqa: E402
from redis_om import EmbeddedJsonModel, Field, HashModel, JsonModel  # noqa: E402
from redis_om.model.migrations.schema.legacy_migrator import create_index  # noqa: E402

RECORDS = 100
SAVE_MANY = 10_000
# Steps of the update rows between two read-backs of what the step wrote.
CHECK_EVERY = 50
# om_find: 10,000 users in 97 cities (`city{i % 97}`), aged 20 to 79; a query asks for the
# ages FIND_AGES of one city, about 10 hits.
FIND_CITIES = 97
FIND_AGES = (30, 35)

# What `get_redis_connection` gives Redis OM by default: decoded replies, RESP2.
DB = redis.Redis.from_url(ARGS.url, decode_responses=True)


class BenchError(Exception):
    pass


# ---- Redis OM Python models (keys bench:pyh:{pk}, bench:pyj:{pk}) ----


class OmUser(HashModel, index=True):
    # pk: str, inherited: the primary key
    name: str
    email: str
    city: str
    age: int
    visits: int
    balance: int
    score: float
    active: bool
    nickname: Optional[str] = None

    class Meta:
        global_key_prefix = "bench"
        model_key_prefix = "pyh"
        database = DB


class OmFindUser(HashModel, index=True):
    """om_find's copy of OmUser (keys bench:pyf:{pk}, index bench:pyf:index), with the
    fields the Rust model indexes indexed (the inherited pk is indexed too, as Python always
    does); its own model so that no index covers the other rows' keys."""

    name: str
    email: str
    city: str = Field(index=True)
    age: int = Field(index=True)
    visits: int = Field(index=True)
    balance: int
    score: float
    active: bool
    nickname: Optional[str] = None

    class Meta:
        global_key_prefix = "bench"
        model_key_prefix = "pyf"
        database = DB


class OmAddress(EmbeddedJsonModel):
    street: str
    city: str
    zip: str


class OmItem(EmbeddedJsonModel):
    sku: str
    quantity: int
    price: float


class OmOrder(JsonModel, index=True):
    # pk: str, inherited: the primary key
    customer: str
    version: int
    total: float
    paid: bool
    note: Optional[str] = None
    address: OmAddress
    tags: List[str]
    items: List[OmItem]

    class Meta:
        global_key_prefix = "bench"
        model_key_prefix = "pyj"
        database = DB


# ---- plain objects for redis-py by hand ----


@dataclasses.dataclass(slots=True)
class User:
    pk: str
    name: str
    email: str
    city: str
    age: int
    visits: int
    balance: int
    score: float
    active: bool
    nickname: Optional[str]


@dataclasses.dataclass(slots=True)
class Address:
    street: str
    city: str
    zip: str


@dataclasses.dataclass(slots=True)
class Item:
    sku: str
    quantity: int
    price: float


@dataclasses.dataclass(slots=True)
class Order:
    pk: str
    customer: str
    version: int
    total: float
    paid: bool
    note: Optional[str]
    address: Address
    tags: List[str]
    items: List[Item]


def user_values(i):
    return dict(
        pk=f"u{i:05d}",
        name=f"User Number {i}",
        email=f"user{i}@example.com",
        city="Zürich",
        age=20 + i % 60,
        visits=0,
        balance=-1_000_000 + i * 37,
        score=0.5 + (i % 100) * 0.25,
        active=i % 2 == 0,
        nickname=f"nick{i}",
    )


def order_values(i):
    return dict(
        pk=f"o{i:05d}",
        customer=f"Customer {i}",
        version=0,
        total=99.75 + i,
        paid=i % 3 == 0,
        note="leave at the door",
        address=dict(street=f"{i} Rue de la Paix", city="Genève", zip="1201"),
        tags=["gift", "express", f"batch{i % 10}"],
        items=[dict(sku=f"SKU-{i}-{k}", quantity=1 + k, price=4.5 + k * 10.25) for k in range(3)],
    )


def find_user_values(i):
    values = user_values(i)
    values["city"] = f"city{i % FIND_CITIES}"
    return values


def plain_order(values):
    values = dict(values)
    values["address"] = Address(**values["address"])
    values["items"] = [Item(**item) for item in values["items"]]
    return Order(**values)


# ---- redis-py by hand ----


def user_key(pk):
    return f"bench:pyh:{pk}"


def order_key(pk):
    return f"bench:pyj:{pk}"


def hset_user(conn, user):
    mapping = {
        "pk": user.pk,
        "name": user.name,
        "email": user.email,
        "city": user.city,
        "age": user.age,
        "visits": user.visits,
        "balance": user.balance,
        "score": user.score,
        "active": "1" if user.active else "0",
    }
    if user.nickname is not None:
        mapping["nickname"] = user.nickname
    return conn.hset(user_key(user.pk), mapping=mapping)


def check_added(added):
    if not isinstance(added, int) or not 0 <= added <= 10:
        raise BenchError(f"HSET of a user replied {added!r}")


def get_user(pk):
    key = user_key(pk)
    fields = DB.hgetall(key)
    if not fields:
        return None
    return user_from(key, fields)


def user_from(key, fields):
    def take(field):
        value = fields.get(field)
        if value is None:
            raise BenchError(f"{key}: field `{field}` is missing")
        return value

    active = take("active")
    if active not in ("1", "0"):
        raise BenchError(f"{key}: field `active` holds {active!r}")
    return User(
        pk=take("pk"),
        name=take("name"),
        email=take("email"),
        city=take("city"),
        age=int(take("age")),
        visits=int(take("visits")),
        balance=int(take("balance")),
        score=float(take("score")),
        active=active == "1",
        nickname=fields.get("nickname"),
    )


FIND_INDEX = "bench:pyf:index"
FIND_PREFIX = "bench:pyf:"
# The query text redis-om (Rust) sends, with the same parameters and dialect.
FIND_QUERY = "@age:[$p0 $p1] @city:{$p2}"


def find_users(city):
    """FT.SEARCH on Python's index with redis-py's search API, the users built by hand."""
    query = Query(FIND_QUERY).dialect(2).paging(0, 1000)
    params = {"p0": FIND_AGES[0], "p1": FIND_AGES[1], "p2": city}
    found = DB.ft(FIND_INDEX).search(query, query_params=params)
    users = []
    for document in found.docs:
        if not document.id.startswith(FIND_PREFIX):
            raise BenchError(f"{FIND_INDEX} found {document.id}")
        fields = dict(document.__dict__)
        del fields["id"]
        fields.pop("payload", None)
        users.append(user_from(document.id, fields))
    return users


def order_document(order):
    return {
        "pk": order.pk,
        "customer": order.customer,
        "version": order.version,
        "total": order.total,
        "paid": order.paid,
        "note": order.note,
        "address": {
            "street": order.address.street,
            "city": order.address.city,
            "zip": order.address.zip,
        },
        "tags": order.tags,
        "items": [{"sku": i.sku, "quantity": i.quantity, "price": i.price} for i in order.items],
    }


def get_order(pk):
    document = DB.json().get(order_key(pk))
    if document is None:
        return None
    address = document["address"]
    return Order(
        pk=document["pk"],
        customer=document["customer"],
        version=document["version"],
        total=document["total"],
        paid=document["paid"],
        note=document.get("note"),
        address=Address(street=address["street"], city=address["city"], zip=address["zip"]),
        tags=list(document["tags"]),
        items=[Item(sku=i["sku"], quantity=i["quantity"], price=i["price"]) for i in document["items"]],
    )


# ---- the columns ----


def check_same(what, got, saved):
    if got != saved:
        raise BenchError(f"{what} read {got!r} after saving {saved!r}")


def check_fields(key, visits, city):
    stored = DB.hmget(key, "visits", "city")
    if stored != [str(visits), city]:
        raise BenchError(f"after the update of step {visits}, {key} holds {stored!r}")


def check_version(pk, version):
    stored = DB.json().get(order_key(pk), "$.version")
    if stored != [version]:
        raise BenchError(f"after the update of step {version}, {pk} holds {stored!r}")


class Columns:
    def __init__(self):
        self.step = 0
        self.om_users = [OmUser(**user_values(i)) for i in range(SAVE_MANY)]
        self.om_orders = [OmOrder(**order_values(i)) for i in range(RECORDS)]
        self.users = [User(**user_values(i)) for i in range(SAVE_MANY)]
        self.orders = [plain_order(order_values(i)) for i in range(RECORDS)]
        self.prepared = set()
        self.om_expected = []
        self.expected = []

    def prepare(self, workload):
        """Before the first run of a workload, unmeasured: the records its steps change or
        query (the same for both Python columns, which share their keys), as the Rust
        columns' are."""
        if workload in self.prepared:
            return
        self.prepared.add(workload)
        if workload == "om_update2":
            pipe = DB.pipeline(transaction=False)
            for user in self.users[:RECORDS]:
                hset_user(pipe, user)
            pipe.execute()
        elif workload == "om_json_update":
            for order in self.orders:
                DB.json().set(order_key(order.pk), "$", order_document(order))
        elif workload == "om_find":
            # The index by Redis OM Python's own migrator function, for this model only (its
            # Migrator().run() would also index the keys of om_hash10 and om_json).
            schema = OmFindUser.redisearch_schema()
            schema_hash = hashlib.sha1(schema.encode("utf-8")).hexdigest()  # what its Migrator stores
            create_index(DB, FIND_INDEX, schema, schema_hash)
            om_users = [OmFindUser(**find_user_values(i)) for i in range(SAVE_MANY)]
            OmFindUser.add(om_users)
            indexed = DB.ft(FIND_INDEX).search(Query("*").no_content().paging(0, 0)).total
            if indexed != SAVE_MANY:
                raise BenchError(f"{FIND_INDEX} holds {indexed} records after {SAVE_MANY} were saved")
            users = [User(**find_user_values(i)) for i in range(SAVE_MANY)]
            for city in range(FIND_CITIES):
                name = f"city{city}"
                lo, hi = FIND_AGES
                self.om_expected.append([u for u in om_users if u.city == name and lo <= u.age <= hi])
                self.expected.append([u for u in users if u.city == name and lo <= u.age <= hi])

    def next_step(self):
        self.step += 1
        return self.step, self.step % RECORDS

    # Each returns the units of its workload's figure.

    def om_python_om_hash10(self):
        step, index = self.next_step()
        user = self.om_users[index]
        user.visits = step
        user.save()
        check_same("OmUser.get", OmUser.get(user.pk), user)
        return 1

    def redis_py_om_hash10(self):
        step, index = self.next_step()
        user = self.users[index]
        user.visits = step
        check_added(hset_user(DB, user))
        check_same("HGETALL by hand", get_user(user.pk), user)
        return 1

    def om_python_om_json(self):
        step, index = self.next_step()
        order = self.om_orders[index]
        order.version = step
        order.save()
        check_same("OmOrder.get", OmOrder.get(order.pk), order)
        return 1

    def redis_py_om_json(self):
        step, index = self.next_step()
        order = self.orders[index]
        order.version = step
        if DB.json().set(order_key(order.pk), "$", order_document(order)) is not True:
            raise BenchError("JSON.SET did not reply OK")
        check_same("JSON.GET by hand", get_order(order.pk), order)
        return 1

    def om_python_om_save_many(self):
        step, _ = self.next_step()
        for user in self.om_users:
            user.visits = step
        OmUser.add(self.om_users)
        self.check_saved(step)
        return SAVE_MANY

    def redis_py_om_save_many(self):
        step, _ = self.next_step()
        pipe = DB.pipeline(transaction=False)
        for user in self.users:
            user.visits = step
            hset_user(pipe, user)
        replies = pipe.execute()
        if len(replies) != SAVE_MANY:
            raise BenchError(f"{len(replies)} replies to {SAVE_MANY} HSETs")
        for added in replies:
            check_added(added)
        self.check_saved(step)
        return SAVE_MANY

    def om_python_om_update2(self):
        step, index = self.next_step()
        user = self.om_users[index]
        city = f"city{step}"
        user.update(visits=step, city=city)
        if step % CHECK_EVERY == 0:
            check_fields(user_key(user.pk), step, city)
        return 1

    def redis_py_om_update2(self):
        step, index = self.next_step()
        pk = self.users[index].pk
        city = f"city{step}"
        added = DB.hset(user_key(pk), mapping={"visits": step, "city": city})
        if added != 0:
            raise BenchError(f"HSET of two fields of {pk} added {added!r} new fields")
        if step % CHECK_EVERY == 0:
            check_fields(user_key(pk), step, city)
        return 1

    def om_python_om_json_update(self):
        step, index = self.next_step()
        order = self.om_orders[index]
        order.update(version=step)
        if step % CHECK_EVERY == 0:
            check_version(order.pk, step)
        return 1

    def redis_py_om_json_update(self):
        step, index = self.next_step()
        pk = self.orders[index].pk
        if DB.json().set(order_key(pk), "$.version", step) is not True:
            raise BenchError("JSON.SET did not reply OK")
        if step % CHECK_EVERY == 0:
            check_version(pk, step)
        return 1

    def om_python_om_find(self):
        step, _ = self.next_step()
        city = step % FIND_CITIES
        lo, hi = FIND_AGES
        found = OmFindUser.find(
            (OmFindUser.age >= lo) & (OmFindUser.age <= hi) & (OmFindUser.city == f"city{city}")
        ).all()
        found.sort(key=lambda u: u.pk)
        check_same(f"OmFindUser.find of city{city}", found, self.om_expected[city])
        return 1

    def redis_py_om_find(self):
        step, _ = self.next_step()
        city = step % FIND_CITIES
        found = find_users(f"city{city}")
        found.sort(key=lambda u: u.pk)
        check_same(f"FT.SEARCH of city{city} by hand", found, self.expected[city])
        return 1

    def check_saved(self, step):
        pk = self.users[(step * 7919) % SAVE_MANY].pk
        stored = DB.hget(user_key(pk), "visits")
        if stored != str(step):
            raise BenchError(f"after save_many of step {step}, {pk} holds visits {stored!r}")


class Features:
    """The feature table's redis-py columns (bench/src/features/): a lock, and a stream
    consumer on a backlog the Rust side added before the run line."""

    def __init__(self):
        self.lock = redis.Redis.from_url(ARGS.url).lock("bench:flock:py", timeout=30)

    def redis_py_lock(self):
        if not self.lock.acquire(blocking=False):
            raise BenchError("acquire of an unheld lock returned False")
        self.lock.release()
        return 1

    def drain(self, count, backlog):
        """XREADGROUP COUNT count, then XACK of the batch, until `backlog` entries are acked
        (each checked in order); the number acknowledged."""
        key, group = "bench:fst:py", "bench"
        due = acked = 0
        while acked < backlog:
            read = DB.xreadgroup(group, "py", {key: ">"}, count=count)
            entries = [entry for _, batch in read for entry in batch]
            if not entries:
                raise BenchError(f"the stream ran dry after {acked} of {backlog}")
            ids = []
            for entry_id, fields in entries:
                if fields != {"n": str(due), "name": f"job-{due % 100}"}:
                    raise BenchError(f"entry {entry_id}: {fields!r} where {due} was due")
                due += 1
                ids.append(entry_id)
            done = DB.xack(key, group, *ids)
            if done != len(ids):
                raise BenchError(f"XACK of {len(ids)} ids acknowledged {done}")
            acked += done
        pending = DB.xpending(key, group)["pending"]
        if pending != 0:
            raise BenchError(f"XPENDING says {pending} pending")
        return acked


def run_for(step, seconds, steps):
    deadline = time.perf_counter() + seconds
    units = done = 0
    while done < steps and time.perf_counter() < deadline:
        units += step()
        done += 1
    return units


def main():
    columns = Columns()
    features = Features()
    print(
        f"ready python={sys.version.split()[0]} redis-om={version('redis-om')} "
        f"redis-py={version('redis')} hiredis={version('hiredis')} pydantic={version('pydantic')}",
        flush=True,
    )
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        try:
            _, workload, column, warmup, duration, steps = parts
            if workload.startswith("stream_worker"):
                # The backlog of `steps` entries is the run: no warm-up, no deadline.
                count = 16 if workload == "stream_worker16" else 1
                started = time.perf_counter()
                units = features.drain(count, int(steps))
                print(f"ok {units / (time.perf_counter() - started)}", flush=True)
                continue
            if workload == "lock":
                step = features.redis_py_lock
                steps = int(steps) or float("inf")
                run_for(step, float(warmup), float("inf"))
                started = time.perf_counter()
                units = run_for(step, float(duration), steps)
                print(f"ok {units / (time.perf_counter() - started)}", flush=True)
                continue
            step = getattr(columns, f"{column.replace('-', '_')}_{workload}")
            columns.prepare(workload)
            steps = int(steps) or float("inf")
            run_for(step, float(warmup), float("inf"))
            started = time.perf_counter()
            units = run_for(step, float(duration), steps)
            rate = units / (time.perf_counter() - started)
            print(f"ok {rate}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure goes back as one line
            message = f"{type(error).__name__}: {error}".replace("\n", " ")
            print(f"error {message[:2000]}", flush=True)


if __name__ == "__main__":
    main()

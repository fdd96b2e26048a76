//! The object-mapper table: medians per workload and column, and the three ratios.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ALL_COLUMNS;
use super::workload::OmWorkload;
use crate::report::figure;

/// Every rate, by workload and column.
#[derive(Default)]
pub struct OmTable {
    rates: BTreeMap<(&'static str, &'static str), Vec<f64>>,
    /// The workloads that ran, in table order.
    pub workloads: Vec<OmWorkload>,
    /// What the Python driver reported about itself, if it ran.
    pub python_versions: Option<String>,
    notes: Vec<String>,
}

impl OmTable {
    /// Records one run.
    pub fn add(&mut self, workload: OmWorkload, column: &str, rate: f64) {
        if let Some(&column) = ALL_COLUMNS.iter().find(|&&c| c == column) {
            self.rates
                .entry((workload.name(), column))
                .or_default()
                .push(rate);
        }
    }

    /// A line printed under the table.
    pub fn note(&mut self, note: &str) {
        eprintln!("[bench] {note}");
        self.notes.push(note.to_owned());
    }

    fn rates(&self, workload: OmWorkload, column: &str) -> Option<&[f64]> {
        self.rates
            .iter()
            .find(|((w, c), _)| *w == workload.name() && *c == column)
            .map(|(_, rates)| rates.as_slice())
    }

    fn median(&self, workload: OmWorkload, column: &str) -> Option<f64> {
        median(self.rates(workload, column)?.to_vec())
    }

    /// The median of the runs' ratios `a / b`: each run measures the two columns minutes
    /// apart at most, so on a machine whose speed drifts from run to run this is steadier
    /// than the ratio of the medians.
    fn ratio(&self, workload: OmWorkload, a: &str, b: &str) -> String {
        let (Some(a), Some(b)) = (self.rates(workload, a), self.rates(workload, b)) else {
            return "-".to_string();
        };
        let ratios = a
            .iter()
            .zip(b)
            .filter(|(_, b)| **b > 0.0)
            .map(|(a, b)| a / b)
            .collect();
        match median(ratios) {
            Some(ratio) => format!("{ratio:.2}x"),
            None => "-".to_string(),
        }
    }

    /// The table, with what each column and ratio is.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<20} {:<9} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>11}",
            "workload",
            "unit",
            "redis-om",
            "by-hand",
            "om/hand",
            "om-python",
            "redis-py",
            "om/om-py",
            "om-py/r-py"
        );
        for &w in &self.workloads {
            let rate = |column| self.median(w, column);
            let _ = writeln!(
                out,
                "{:<20} {:<9} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>11}",
                w.name(),
                w.unit(),
                figure(rate("redis-om")),
                figure(rate("by-hand")),
                self.ratio(w, "redis-om", "by-hand"),
                figure(rate("om-python")),
                figure(rate("redis-py")),
                self.ratio(w, "redis-om", "om-python"),
                self.ratio(w, "om-python", "redis-py"),
            );
        }
        let _ = writeln!(out, "\nnotes:");
        let _ = writeln!(
            out,
            "  figures are medians of the runs; ratios are medians of each run's ratio (the two \
             columns of one run are measured close together)\n  \
             redis-om: redis-om's Repository (save + get, save_many, update, find); by-hand: the \
             same commands with redis-core and the struct built from the reply by hand (target \
             om/hand >= 0.90x)\n  \
             om-python: Redis OM Python's HashModel/JsonModel (save + get, Model.add, \
             model.update, Model.find); redis-py: the same commands by hand with redis-py (RESP2, \
             hiredis), one Python process\n  \
             om_hash10: one pair = save + get of a 10-field hash model (HSET, HGETALL; Redis OM \
             Python's save also sends HTTL first)\n  \
             om_json: one pair = save + get of a JSON model with a nested struct and two Vecs \
             (JSON.SET, JSON.GET)\n  \
             om_save_many: models per second, 10,000 HSETs a step (redis-om sends them in \
             pipelines of 1,000, by hand in one of 10,000; Python: one pipeline each)\n  \
             om_update2: update(pk).set(visits).set(city).apply() of the hash model, one EVALSHA \
             of redis-om's update script (EXISTS, HSET of the two fields); by hand HSET key \
             visits V city S; Redis OM Python 1.2's model.update(visits=, city=) saves the whole \
             model (HTTL of 9 fields, HSET of all 10); redis-py HSET of the two; every 50th \
             update read back with HMGET\n  \
             om_update2_versioned: the same with .if_version(v) on a #[redis(version)] model \
             (the script adds two HGETs and an HINCRBY of the version); by hand one EVALSHA of \
             a Lua compare-and-set (HGET version, HSET of the two fields and version+1); no \
             Python columns: Redis OM Python 1.2 has no optimistic versions\n  \
             om_json_update: update(pk).set(version).apply() of the JSON model, one JSON.MSET \
             key $.version V; by hand and redis-py JSON.SET key $.version V; \
             Redis OM Python's model.update(version=) sends JSON.SET key . of the whole \
             document; every 50th update read back with JSON.GET key $.version\n  \
             om_find: find(age.between(30, 35) & city.eq(c)).limit(0, 1000).all() on an index of \
             10,000 hashes (97 cities), about 10 hits, compared with those expected; by hand \
             FT.SEARCH of the same text and PARAMS (DIALECT 2, LIMIT 0 1000) and the users built \
             by hand; Redis OM Python's Model.find((age >= 30) & (age <= 35) & (city == c)).all() \
             sends FT.SEARCH \"((@age:[30 +inf]) (@age:[-inf 35])) (@city:{{c}})\" LIMIT 0 1000 \
             on its own index of its own identical 10,000 records (bench:pyf:), redis-py the Rust \
             text with PARAMS on that index; the Rust columns share bench:omf: and its index\n  \
             om_knn: find(all()).knn(Doc::embedding(), 10, &q).all() over 10,000 hashes of a \
             128-dimension f32 vector in a FLAT L2 index (bench:omk:), the 10 ids compared with a \
             brute-force search in Rust, 50 query vectors in turn; by hand FT.SEARCH \
             \"*=>[KNN $k @embedding $vec AS __dist]\" SORTBY __dist LIMIT 0 10 DIALECT 2 and the \
             documents (id, vector from its bytes) built by hand; no Python columns"
        );
        if let Some(versions) = &self.python_versions {
            let _ = writeln!(out, "  Python side: {versions}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "  {note}");
        }
        out
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]) / 2.0),
    }
}

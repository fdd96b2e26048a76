use super::*;
use crate::convert::FromValue;

fn args(cmd: &crate::commands::Command<impl FromValue>) -> Vec<String> {
    cmd.cmd()
        .args()
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

#[test]
fn matchers_become_the_module_syntax() {
    let cmd = ts_queryindex([
        LabelMatcher::eq("room", "lab 1 \"x\""),
        LabelMatcher::ne("a", "b"),
        LabelMatcher::any_of("c", ["d", "e"]),
        LabelMatcher::none_of("f", ["g"]),
        LabelMatcher::present("h"),
        LabelMatcher::absent("i"),
    ]);
    assert_eq!(
        args(&cmd),
        ["room=lab 1 \"x\"", "a!=b", "c=(d,e)", "f!=(g)", "h!=", "i="]
    );
}

#[test]
fn syntax_characters_in_a_value_refuse_the_command() {
    for bad in ["a=b", "a,b", "(a)", "a!b", ""] {
        let cmd = ts_queryindex(LabelMatcher::eq("l", bad));
        assert!(cmd.cmd().refusal().is_some(), "{bad:?}");
    }
}

#[test]
fn mrange_puts_each_option_where_the_module_wants_it() {
    let cmd = ts_mrange_with(
        10..=20,
        LabelMatcher::eq("a", "b"),
        TsMRangeOptions::new()
            .range(
                TsRangeOptions::new()
                    .filter_by_value(1.0, 2.0)
                    .count(5)
                    .aggregation(
                        Aggregation::new(Aggregator::StdP, 10)
                            .align(Align::End)
                            .bucket_timestamp(BucketTimestamp::Mid)
                            .empty(),
                    ),
            )
            .labels(TsLabels::Selected(vec!["a".into()]))
            .group_by("a", TsReducer::Max),
    );
    assert_eq!(
        args(&cmd).join(" "),
        "10 20 FILTER_BY_VALUE 1 2 SELECTED_LABELS a COUNT 5 ALIGN + AGGREGATION std.p 10 \
         BUCKETTIMESTAMP ~ EMPTY FILTER a=b GROUPBY a REDUCE max"
    );
}

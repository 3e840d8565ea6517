//! Accuracy bounds: these fail when a matcher change costs recall or precision.

use verifyd_screening::eval::{evaluate, load_pairs};

use crate::{full_index, shared};

#[test]
fn dev_pairs_meet_recall_and_precision_goals() {
    let (Some(idx), Some(p)) = (full_index(), shared("name_pairs_dev.csv")) else {
        return;
    };
    let pairs = load_pairs(std::fs::File::open(p).unwrap()).unwrap();
    assert_eq!(pairs.len(), 1149);
    let r = evaluate(idx, &pairs);
    println!("{r}");
    for e in &r.errors {
        println!("  miss: {e}");
    }
    assert!(r.engine.recall >= 0.98, "recall {}", r.engine.recall);
    assert!(
        r.engine.precision >= 0.95,
        "precision {}",
        r.engine.precision
    );
    assert!(r.engine.f1 > r.baseline_jaro_winkler.f1);
    assert!(r.engine.f1 > r.baseline_best_pairs.f1);
}

#[test]
fn heldout_pairs_report() {
    let Some(idx) = full_index() else { return };
    let pairs =
        load_pairs(std::fs::File::open(crate::fixture("heldout_pairs.csv")).unwrap()).unwrap();
    let r = evaluate(idx, &pairs);
    println!("HELD-OUT\n{r}");
    for e in &r.errors {
        println!("  miss: {e}");
    }
    assert_eq!(r.pairs_without_entity, 0);
    assert!(r.engine.recall >= 0.95, "recall {}", r.engine.recall);
    assert!(
        r.engine.precision >= 0.95,
        "precision {}",
        r.engine.precision
    );
    assert!(r.engine.f1 > r.baseline_jaro_winkler.f1);
    assert!(r.engine.f1 > r.baseline_best_pairs.f1);
}

#[test]
fn evaluate_files_runs_on_the_committed_excerpts() {
    // pairs whose entity is not in the excerpt are scored name-to-name
    let r = verifyd_screening::eval::evaluate_files(
        &crate::fixture(""),
        &crate::fixture("heldout_pairs.csv"),
    )
    .unwrap();
    assert_eq!(r.pairs, 1160);
    assert!(r.pairs_without_entity > 1000);
    assert!(r.engine.precision > 0.9, "{r}");
}

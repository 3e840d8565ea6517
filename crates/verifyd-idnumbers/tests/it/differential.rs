//! Differential run on numbers from elsewhere (not part of CI: `cargo test -p
//! verifyd-idnumbers --test it -- --ignored differential --nocapture` with
//! `VERIFYD_IDNUMBERS_TSV` pointing at a file of `country<TAB>label<TAB>expectation<TAB>number`
//! lines; BENCHMARKS.md says how the published lists were extracted and what came out).

use verifyd_idnumbers::{parse, Flag, IssuingState};

use crate::today;

#[test]
#[ignore = "needs VERIFYD_IDNUMBERS_TSV"]
fn differential() {
    let path = std::env::var("VERIFYD_IDNUMBERS_TSV").expect("set VERIFYD_IDNUMBERS_TSV");
    let data = std::fs::read_to_string(path).unwrap();
    let (mut total, mut accepted, mut unconfirmed) = (0, 0, 0);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let country = IssuingState::parse(f[0]).unwrap().country().unwrap();
        total += 1;
        match parse(country, f[3], today()) {
            Ok(n) if n.flags.contains(&Flag::CheckDigitMismatch) => {
                unconfirmed += 1;
                println!("partial\t{}\t{}", f[1], f[3]);
            }
            Ok(_) => accepted += 1,
            Err(r) => println!("rejected\t{}\t{}\t{}", f[1], f[3], r.defect),
        }
    }
    println!("{total} numbers: {accepted} accepted, {unconfirmed} accepted as partial (check mismatch), {} rejected", total - accepted - unconfirmed);
}

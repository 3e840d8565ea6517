//! `cargo bench -p verifyd-contact`: load times and per-lookup latency of every built-in data
//! set (the same figures `verifyd_contact::bench::run` prints).

fn main() {
    match verifyd_contact::bench::run(50) {
        Ok(measurements) => {
            for m in measurements {
                println!("{m}");
            }
        }
        Err(e) => {
            eprintln!("could not load the built-in data: {e}");
            std::process::exit(1);
        }
    }
}

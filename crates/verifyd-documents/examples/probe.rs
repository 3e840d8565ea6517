use std::time::Instant;
use verifyd_documents::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let t = Instant::now();
    let r = DocumentReader::new(&ReaderConfig::default()).unwrap();
    println!("load {:?}", t.elapsed());
    if args[1] == "synth" {
        let ren = synth::Renderer::new().unwrap();
        let seed: u64 = args[2].parse().unwrap();
        let degraded = args.get(3).is_some();
        let d = if degraded { synth::Degradation::random(&mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed ^ 0xde9)) } else { synth::Degradation::clean() };
        println!("{d:?}");
        let kind = if seed % 2 == 0 { synth::SynthKind::Passport } else { synth::SynthKind::IdCard };
        let doc = ren.render(kind, today, &d, seed).unwrap();
        image::load_from_memory(&doc.front).unwrap().save("/tmp/front.png").unwrap();
        if let Some(b) = &doc.back { image::load_from_memory(b).unwrap().save("/tmp/back.png").unwrap(); }
        println!("truth {:?}", doc.mrz_lines);
        let t = Instant::now();
        let reading = r.read(&doc.front, doc.back.as_deref(), &ReadOptions::new(today)).unwrap();
        println!("read {:?}", t.elapsed());
        show(&reading, today);
    } else {
        let bytes = std::fs::read(&args[1]).unwrap();
        let t = Instant::now();
        let reading = r.read(&bytes, None, &ReadOptions::new(today)).unwrap();
        println!("read {:?}", t.elapsed());
        let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        if let Some(z) = &reading.zone { for b in &z.boxes { println!("full: {:?}", r.engine().recognise(&img, b, false).unwrap()); } }
        show(&reading, today);
    }
}
fn show(reading: &DocumentReading, today: chrono::NaiveDate) {
    if let Some(z) = &reading.zone { println!("raw {:?}\nmrz {:?} valid {} {:?}", z.raw_lines, z.mrz.lines, z.mrz.is_valid(), z.mrz.problems); } else { println!("no zone"); }
    println!("visual {:?}", reading.visual);
    println!("quality {:?}", reading.quality);
    if let Some(p) = &reading.portrait_jpeg { image::load_from_memory(p).unwrap().save("/tmp/portrait.png").unwrap(); }
    let v = reading.evaluate(&DocumentPolicy::new(today));
    println!("{}", serde_json::to_string_pretty(&v).unwrap());
}

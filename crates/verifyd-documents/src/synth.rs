//! Synthetic identity documents: passport data pages (TD3) and ID cards (TD1, front and back)
//! drawn with the OCR-B font and the `mrz` crate's generator, then photographed badly on
//! purpose (rotation, perspective, blur, noise, JPEG artefacts, cluttered backgrounds).
//!
//! Real specimens cannot be committed, so this is the corpus the tests and the benchmark use:
//! every image comes with the exact MRZ it shows, which makes "read exactly" a hard metric.
//! The layout follows ICAO 9303's zones (portrait left, data right, MRZ at the bottom at a
//! 2.54 mm pitch) closely enough for the reader's geometric heuristics to be exercised.
//!
//! The font is OCR-B from Debian's `fonts-ocr-b` (public domain, Matthew Skala; derived from
//! Norbert Schwarz's freely redistributable METAFONT sources), vendored in `assets/`.

use ab_glyph::{Font, FontRef, PxScale};
use chrono::{Datelike, Duration, NaiveDate};
use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::DocumentError;

static OCRB: &[u8] = include_bytes!("../assets/OCRB.otf");

/// Which document to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthKind {
    /// Passport data page, TD3 zone on the same page as the portrait.
    Passport,
    /// ID card: portrait and data on the front, TD1 zone on the back.
    IdCard,
}

/// How badly the document is photographed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degradation {
    /// In-plane rotation in degrees (small angles).
    pub angle_deg: f32,
    /// Additional quarter turns (0–3) applied to the whole photo.
    pub quarter_turns: u8,
    /// Corner displacement as a fraction of the document width (perspective).
    pub perspective: f32,
    /// Gaussian blur sigma in pixels (0 = none).
    pub blur_sigma: f32,
    /// Gaussian noise standard deviation in grey levels.
    pub noise: f32,
    /// JPEG quality (1–100).
    pub jpeg_quality: u8,
    /// Document width as a fraction of the photo width.
    pub fill: f32,
    /// Pixels per millimetre of the document.
    pub px_per_mm: f32,
}

impl Degradation {
    /// A flat, sharp, upright photo.
    pub fn clean() -> Self {
        Degradation {
            angle_deg: 0.0,
            quarter_turns: 0,
            perspective: 0.0,
            blur_sigma: 0.0,
            noise: 0.0,
            jpeg_quality: 92,
            fill: 0.85,
            px_per_mm: 8.0,
        }
    }

    /// A random bad photo: tilted ±8°, a quarter turn one time in four, up to 4 % perspective,
    /// blur up to σ 1.2, noise up to 8 grey levels, JPEG quality 40–85.
    pub fn random(rng: &mut impl Rng) -> Self {
        Degradation {
            angle_deg: rng.gen_range(-8.0..8.0),
            quarter_turns: if rng.gen_bool(0.25) {
                rng.gen_range(1..4)
            } else {
                0
            },
            perspective: rng.gen_range(0.0..0.04),
            blur_sigma: if rng.gen_bool(0.6) {
                rng.gen_range(0.3..1.2)
            } else {
                0.0
            },
            noise: rng.gen_range(0.0..8.0),
            jpeg_quality: rng.gen_range(40..86),
            fill: rng.gen_range(0.65..0.9),
            px_per_mm: rng.gen_range(6.5..10.0),
        }
    }
}

/// A rendered document with the truth it shows.
#[derive(Debug, Clone)]
pub struct SyntheticDocument {
    /// The photo of the front (JPEG).
    pub front: Vec<u8>,
    /// The photo of the back (JPEG), for ID cards.
    pub back: Option<Vec<u8>>,
    /// The zone printed on the document.
    pub mrz_lines: Vec<String>,
    /// The zone's fields.
    pub fields: mrz::MrzFields,
    /// Given names as printed (with accents).
    pub printed_given_names: String,
    /// Surname as printed (with accents).
    pub printed_surname: String,
}

const SURNAMES: [&str; 24] = [
    "ERIKSSON",
    "MÜLLER",
    "GARCÍA",
    "O'BRIEN",
    "NGUYEN",
    "SMITH",
    "JOHANSSON",
    "DUBOIS",
    "ROSSI",
    "KOWALSKI",
    "SILVA",
    "PETROV",
    "YILMAZ",
    "MURPHY",
    "VAN DER BERG",
    "GONZÁLEZ LÓPEZ",
    "ØSTERGÅRD",
    "NOVÁK",
    "BAKER",
    "HASSAN",
    "OKONKWO",
    "TANAKA",
    "LINDQVIST",
    "FERREIRA",
];
const GIVEN: [&str; 24] = [
    "ANNA MARIA",
    "JOSÉ",
    "LUCÍA",
    "JEAN-PIERRE",
    "MOHAMMED",
    "WEI",
    "SØREN",
    "CHLOÉ",
    "JAMES",
    "OLGA",
    "KARIM",
    "AMELIA ROSE",
    "JÜRGEN",
    "FATIMA",
    "LIAM",
    "ZOË",
    "PAOLO",
    "INGRID",
    "AHMED ALI",
    "MARIE",
    "NOAH",
    "EMMA",
    "OSKAR",
    "BEATRIZ",
];

fn pick<'a>(rng: &mut impl Rng, list: &[&'a str]) -> &'a str {
    list.get(rng.gen_range(0..list.len()))
        .copied()
        .unwrap_or("X")
}

/// Random but valid fields for `kind`; birth dates make adults and minors, expiry dates are in
/// the future unless `expired`.
pub fn random_fields(
    rng: &mut impl Rng,
    kind: SynthKind,
    today: NaiveDate,
) -> (mrz::MrzFields, String, String) {
    let states: Vec<&str> = mrz::all_states()
        .map(|(c, _)| c)
        .filter(|c| c.len() == 3)
        .collect();
    let state = pick(rng, &states).to_owned();
    let nationality = if rng.gen_bool(0.8) {
        state.clone()
    } else {
        pick(rng, &states).to_owned()
    };
    let surname = pick(rng, &SURNAMES).to_owned();
    let given = pick(rng, &GIVEN).to_owned();
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut number = String::new();
    let letters = rng.gen_range(0..3);
    for i in 0..9 {
        let c = if i < letters {
            alnum[rng.gen_range(0..26)]
        } else {
            alnum[rng.gen_range(0..alnum.len())]
        };
        number.push(char::from(c));
    }
    let birth = today - Duration::days(rng.gen_range(14 * 365..85 * 365));
    let expiry = today + Duration::days(rng.gen_range(60..3650));
    let optional = if rng.gen_bool(0.5) {
        (0..rng.gen_range(6..12))
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect()
    } else {
        String::new()
    };
    let (format, code) = match kind {
        SynthKind::Passport => (mrz::Format::Td3, "P"),
        SynthKind::IdCard => (mrz::Format::Td1, if rng.gen_bool(0.8) { "ID" } else { "I" }),
    };
    let sex = match rng.gen_range(0..20) {
        0 => mrz::Sex::Unspecified,
        1..=10 => mrz::Sex::Female,
        _ => mrz::Sex::Male,
    };
    let fields = mrz::MrzFields {
        format,
        document_code: code.to_owned(),
        issuing_state: state,
        surname: surname.clone(),
        given_names: given.clone(),
        document_number: number,
        nationality,
        birth_date: Some(birth),
        sex,
        expiry_date: Some(expiry),
        optional_data: optional,
        optional_data_2: String::new(),
    };
    (fields, surname, given)
}

/// Draws documents.
#[derive(Debug)]
pub struct Renderer {
    font: FontRef<'static>,
    /// Em size per millimetre of cap height (from the font's own outlines).
    em_per_cap: f32,
}

struct Canvas<'a> {
    img: RgbImage,
    ppm: f32,
    font: &'a FontRef<'static>,
    em_per_cap: f32,
}

impl Canvas<'_> {
    /// Draws `text` with its cap height `cap_mm`, top-left at (`x_mm`, `y_mm`); with `pitch_mm`
    /// every character gets that advance (the MRZ's fixed pitch).
    fn text(
        &mut self,
        text: &str,
        x_mm: f32,
        y_mm: f32,
        cap_mm: f32,
        pitch_mm: Option<f32>,
        color: [u8; 3],
    ) {
        let scale = PxScale::from(cap_mm * self.ppm * self.em_per_cap);
        let baseline = (y_mm + cap_mm) * self.ppm;
        let mut x = x_mm * self.ppm;
        for c in text.chars() {
            let id = self.font.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
            let advance = match pitch_mm {
                Some(p) => p * self.ppm,
                None => {
                    let factor = scale.x / self.font.height_unscaled().max(1.0);
                    self.font.h_advance_unscaled(id) * factor
                }
            };
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                let img = &mut self.img;
                outline.draw(|gx, gy, cov| {
                    let px = b.min.x as i64 + i64::from(gx);
                    let py = b.min.y as i64 + i64::from(gy);
                    if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height()
                    {
                        let p = img.get_pixel_mut(px as u32, py as u32);
                        for k in 0..3 {
                            p[k] =
                                (f32::from(p[k]) * (1.0 - cov) + f32::from(color[k]) * cov) as u8;
                        }
                    }
                });
            }
            x += advance;
        }
    }

    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, color: [u8; 3]) {
        let (w, h) = self.img.dimensions();
        let px = |v: f32, max: u32| ((v * self.ppm) as u32).min(max);
        for y in px(y0, h)..px(y1, h) {
            for x in px(x0, w)..px(x1, w) {
                self.img.put_pixel(x, y, Rgb(color));
            }
        }
    }

    /// Fills an ellipse, clipped to the rectangle `clip` (x0, y0, x1, y1 in mm).
    fn ellipse(
        &mut self,
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        color: [u8; 3],
        clip: (f32, f32, f32, f32),
    ) {
        let w = ((clip.2 * self.ppm) as u32).min(self.img.width());
        let h = ((clip.3 * self.ppm) as u32).min(self.img.height());
        let (cx0, cy0) = ((clip.0 * self.ppm) as u32, (clip.1 * self.ppm) as u32);
        let (cx, cy, rx, ry) = (cx * self.ppm, cy * self.ppm, rx * self.ppm, ry * self.ppm);
        let y0 = ((cy - ry).max(0.0) as u32).max(cy0);
        let y1 = ((cy + ry) as u32).min(h);
        let x0 = ((cx - rx).max(0.0) as u32).max(cx0);
        let x1 = ((cx + rx) as u32).min(w);
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                if dx * dx + dy * dy <= 1.0 {
                    self.img.put_pixel(x, y, Rgb(color));
                }
            }
        }
    }

    /// Security-print style background: pastel paper with fine wavy lines.
    fn paper(&mut self, rng: &mut impl Rng) {
        let base = [
            rng.gen_range(225..250u8),
            rng.gen_range(220..245u8),
            rng.gen_range(215..242u8),
        ];
        let line = [
            base[0].saturating_sub(35),
            base[1].saturating_sub(20),
            base[2].saturating_sub(10),
        ];
        let (freq, amp) = (rng.gen_range(0.02..0.06f32), rng.gen_range(4.0..14.0f32));
        let spacing = rng.gen_range(9..16u32);
        for (x, y, p) in self.img.enumerate_pixels_mut() {
            let wave = (y as f32 + amp * (x as f32 * freq).sin()) as u32 % spacing;
            *p = Rgb(if wave == 0 { line } else { base });
        }
    }

    /// A stylised head and shoulders (enough structure for the portrait checks).
    fn portrait(&mut self, x0: f32, y0: f32, w: f32, h: f32, rng: &mut impl Rng) {
        let bg = [
            rng.gen_range(170..215u8),
            rng.gen_range(185..220u8),
            rng.gen_range(200..235u8),
        ];
        self.rect(x0, y0, x0 + w, y0 + h, bg);
        let skin = [
            rng.gen_range(120..235u8),
            rng.gen_range(90..195u8),
            rng.gen_range(70..165u8),
        ];
        let cloth = [
            rng.gen_range(20..120u8),
            rng.gen_range(20..120u8),
            rng.gen_range(20..140u8),
        ];
        let hair = [
            rng.gen_range(10..120u8),
            rng.gen_range(10..90u8),
            rng.gen_range(5..60u8),
        ];
        let cx = x0 + w / 2.0;
        let clip = (x0, y0, x0 + w, y0 + h);
        self.ellipse(cx, y0 + h * 1.02, w * 0.48, h * 0.3, cloth, clip);
        self.ellipse(cx, y0 + h * 0.36, w * 0.3, h * 0.27, hair, clip);
        self.ellipse(cx, y0 + h * 0.42, w * 0.26, h * 0.25, skin, clip);
        let dark = [40, 30, 30];
        self.ellipse(cx - w * 0.1, y0 + h * 0.38, w * 0.035, h * 0.02, dark, clip);
        self.ellipse(cx + w * 0.1, y0 + h * 0.38, w * 0.035, h * 0.02, dark, clip);
        self.ellipse(cx, y0 + h * 0.55, w * 0.08, h * 0.015, [150, 60, 60], clip);
    }
}

/// MRZ character pitch and cap height (ICAO 9303-3: OCR-B size 10, 2.54 mm pitch).
const MRZ_PITCH_MM: f32 = 2.54;
const MRZ_CAP_MM: f32 = 2.3;
const INK: [u8; 3] = [25, 25, 30];

fn viz_date(d: Option<NaiveDate>) -> String {
    const M: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    match d {
        Some(d) => format!(
            "{:02} {} {}",
            d.day(),
            M.get(d.month0() as usize).unwrap_or(&"JAN"),
            d.year()
        ),
        None => String::new(),
    }
}

impl Renderer {
    /// Loads the vendored OCR-B font.
    pub fn new() -> Result<Self, DocumentError> {
        let font = FontRef::try_from_slice(OCRB)
            .map_err(|e| DocumentError::Model(format!("OCR-B font: {e}")))?;
        // Cap height of 'H' at 100 px per em → em per unit of cap height.
        let probe = font
            .glyph_id('H')
            .with_scale_and_position(100.0, ab_glyph::point(0.0, 0.0));
        let cap = font
            .outline_glyph(probe)
            .map(|o| o.px_bounds().height())
            .unwrap_or(70.0);
        Ok(Renderer {
            font,
            em_per_cap: 100.0 / cap.max(1.0),
        })
    }

    fn canvas(&self, w_mm: f32, h_mm: f32, ppm: f32) -> Canvas<'_> {
        let img = RgbImage::new((w_mm * ppm) as u32, (h_mm * ppm) as u32);
        Canvas {
            img,
            ppm,
            font: &self.font,
            em_per_cap: self.em_per_cap,
        }
    }

    /// Draws the flat document pages (front, and back for ID cards) at `ppm` pixels per mm.
    pub fn draw_pages(
        &self,
        fields: &mrz::MrzFields,
        surname: &str,
        given: &str,
        ppm: f32,
        rng: &mut impl Rng,
    ) -> Result<(RgbImage, Option<RgbImage>, Vec<String>), DocumentError> {
        let lines = mrz::generate(fields)
            .map_err(|e| DocumentError::Model(format!("MRZ generation: {e}")))?;
        let country = mrz::state_name(&fields.issuing_state)
            .unwrap_or("UTOPIA")
            .to_uppercase();
        let nationality = mrz::state_name(&fields.nationality)
            .unwrap_or("")
            .to_uppercase();
        let sex = fields.sex.as_str();
        let label = [90, 80, 110];
        match fields.format {
            mrz::Format::Td1 => {
                let mut f = self.canvas(85.6, 54.0, ppm);
                f.paper(rng);
                f.text(&country, 4.0, 3.0, 2.6, None, [40, 40, 110]);
                f.text("IDENTITY CARD", 4.0, 7.0, 2.0, None, [40, 40, 110]);
                f.portrait(4.0, 13.0, 24.0, 32.0, rng);
                let rows = [
                    ("SURNAME", surname.to_owned()),
                    ("GIVEN NAMES", given.to_owned()),
                    ("DATE OF BIRTH", viz_date(fields.birth_date)),
                    ("SEX  NATIONALITY", format!("{sex}  {}", fields.nationality)),
                    ("DOCUMENT NO", fields.document_number.clone()),
                    ("DATE OF EXPIRY", viz_date(fields.expiry_date)),
                ];
                for (i, (l, v)) in rows.iter().enumerate() {
                    let y = 12.0 + i as f32 * 6.6;
                    f.text(l, 32.0, y, 1.3, None, label);
                    f.text(v, 32.0, y + 2.0, 2.2, None, INK);
                }
                let mut b = self.canvas(85.6, 54.0, ppm);
                b.paper(rng);
                b.text("ISSUING AUTHORITY", 4.0, 4.0, 1.3, None, label);
                b.text(
                    &format!("MINISTRY OF INTERIOR {}", fields.issuing_state),
                    4.0,
                    6.5,
                    2.0,
                    None,
                    INK,
                );
                b.rect(3.0, 34.5, 82.6, 52.5, [248, 248, 246]);
                for (i, line) in lines.iter().enumerate() {
                    b.text(
                        line,
                        4.7,
                        36.2 + i as f32 * 5.2,
                        MRZ_CAP_MM,
                        Some(MRZ_PITCH_MM),
                        INK,
                    );
                }
                Ok((f.img, Some(b.img), lines))
            }
            _ => {
                let mut c = self.canvas(125.0, 88.0, ppm);
                c.paper(rng);
                c.text(&country, 6.0, 4.0, 3.2, None, [40, 40, 110]);
                c.text("PASSPORT  PASSEPORT", 62.0, 4.0, 2.6, None, [40, 40, 110]);
                c.portrait(6.0, 20.0, 32.0, 44.0, rng);
                let cols = [
                    ("TYPE", fields.document_code.clone(), 42.0),
                    ("CODE", fields.issuing_state.clone(), 58.0),
                    ("PASSPORT NO", fields.document_number.clone(), 80.0),
                ];
                for (l, v, x) in cols {
                    c.text(l, x, 12.0, 1.5, None, label);
                    c.text(&v, x, 14.5, 2.5, None, INK);
                }
                let rows = [
                    ("SURNAME", surname.to_owned()),
                    ("GIVEN NAMES", given.to_owned()),
                    ("NATIONALITY", nationality),
                    ("DATE OF BIRTH", viz_date(fields.birth_date)),
                    ("SEX", sex.to_owned()),
                    ("DATE OF EXPIRY", viz_date(fields.expiry_date)),
                ];
                for (i, (l, v)) in rows.iter().enumerate() {
                    let y = 20.5 + i as f32 * 7.6;
                    c.text(l, 42.0, y, 1.5, None, label);
                    c.text(v, 42.0, y + 2.4, 2.5, None, INK);
                }
                c.rect(0.0, 69.0, 125.0, 88.0, [247, 247, 244]);
                for (i, line) in lines.iter().enumerate() {
                    c.text(
                        line,
                        6.0,
                        72.0 + i as f32 * 6.0,
                        MRZ_CAP_MM,
                        Some(MRZ_PITCH_MM),
                        INK,
                    );
                }
                Ok((c.img, None, lines))
            }
        }
    }

    /// Renders a document and photographs it with `d`.
    pub fn render(
        &self,
        kind: SynthKind,
        today: NaiveDate,
        d: &Degradation,
        seed: u64,
    ) -> Result<SyntheticDocument, DocumentError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let (fields, surname, given) = random_fields(&mut rng, kind, today);
        self.render_fields(&fields, &surname, &given, d, seed)
    }

    /// Renders the given fields and photographs them with `d`.
    pub fn render_fields(
        &self,
        fields: &mrz::MrzFields,
        surname: &str,
        given: &str,
        d: &Degradation,
        seed: u64,
    ) -> Result<SyntheticDocument, DocumentError> {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let (front, back, lines) =
            self.draw_pages(fields, surname, given, d.px_per_mm, &mut rng)?;
        let front = photograph(&front, d, &mut rng)?;
        let back = match back {
            Some(b) => Some(photograph(&b, d, &mut rng)?),
            None => None,
        };
        Ok(SyntheticDocument {
            front,
            back,
            mrz_lines: lines,
            fields: fields.clone(),
            printed_given_names: given.to_owned(),
            printed_surname: surname.to_owned(),
        })
    }
}

/// Homography mapping `from[i]` to `to[i]` (8 unknowns, Gaussian elimination).
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Option<[f64; 9]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(from[i].0), f64::from(from[i].1));
        let (u, v) = (f64::from(to[i].0), f64::from(to[i].1));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                let pivot_row = a[col];
                for (x, p) in a[r].iter_mut().zip(pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

fn gaussian(rng: &mut impl Rng) -> f32 {
    // Irwin–Hall approximation: good enough for sensor noise.
    (0..6).map(|_| rng.gen_range(-1.0..1.0f32)).sum::<f32>() / 1.414
}

/// Places the page on a background with the degradation's geometry and noise; JPEG bytes out.
fn photograph(
    page: &RgbImage,
    d: &Degradation,
    rng: &mut impl Rng,
) -> Result<Vec<u8>, DocumentError> {
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    let out_w = (pw / d.fill.clamp(0.3, 1.0)).round();
    let out_h = (out_w * 0.75).max(ph * 1.15).round();
    let mut img = background(out_w as u32, out_h as u32, rng);
    let (cx, cy) = (out_w / 2.0, out_h / 2.0);
    let (s, c) = d.angle_deg.to_radians().sin_cos();
    let jitter = d.perspective * pw;
    let mut corners = [(0.0, 0.0); 4];
    for (i, (x, y)) in [
        (-pw / 2.0, -ph / 2.0),
        (pw / 2.0, -ph / 2.0),
        (pw / 2.0, ph / 2.0),
        (-pw / 2.0, ph / 2.0),
    ]
    .into_iter()
    .enumerate()
    {
        let jx = if jitter > 0.0 {
            rng.gen_range(-jitter..=jitter)
        } else {
            0.0
        };
        let jy = if jitter > 0.0 {
            rng.gen_range(-jitter..=jitter)
        } else {
            0.0
        };
        corners[i] = (cx + x * c - y * s + jx, cy + x * s + y * c + jy);
    }
    let src = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    // Output → page mapping, so every output pixel is sampled once.
    let h = homography(corners, src)
        .ok_or_else(|| DocumentError::Model("degenerate synthetic geometry".into()))?;
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (xf, yf) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let w = h[6] * xf + h[7] * yf + h[8];
        let u = ((h[0] * xf + h[1] * yf + h[2]) / w) as f32;
        let v = ((h[3] * xf + h[4] * yf + h[5]) / w) as f32;
        if u >= 0.0 && v >= 0.0 && u < pw && v < ph {
            *p = crate::ocr::sample(page, u - 0.5, v - 0.5);
        }
    }
    if d.blur_sigma > 0.05 {
        img = image::imageops::blur(&img, d.blur_sigma);
    }
    if d.noise > 0.0 {
        for p in img.pixels_mut() {
            let n = gaussian(rng) * d.noise;
            for k in 0..3 {
                p[k] = (f32::from(p[k]) + n).clamp(0.0, 255.0) as u8;
            }
        }
    }
    img = match d.quarter_turns % 4 {
        1 => image::imageops::rotate90(&img),
        2 => image::imageops::rotate180(&img),
        3 => image::imageops::rotate270(&img),
        _ => img,
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, d.jpeg_quality.clamp(1, 100))
        .encode_image(&img)
        .map_err(|e| DocumentError::Model(format!("JPEG encoding: {e}")))?;
    Ok(out)
}

/// A table-top: solid, gradient or cluttered with rectangles.
fn background(w: u32, h: u32, rng: &mut impl Rng) -> RgbImage {
    let a = [
        rng.gen_range(0..200u8),
        rng.gen_range(0..200u8),
        rng.gen_range(0..200u8),
    ];
    let b = [
        rng.gen_range(0..255u8),
        rng.gen_range(0..255u8),
        rng.gen_range(0..255u8),
    ];
    let kind = rng.gen_range(0..3);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let t = match kind {
            0 => 0.0,
            _ => (x + y) as f32 / (w + h).max(1) as f32,
        };
        let mix = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8;
        Rgb([mix(0), mix(1), mix(2)])
    });
    if kind == 2 {
        for _ in 0..12 {
            let (x0, y0) = (rng.gen_range(0..w), rng.gen_range(0..h));
            let (rw, rh) = (rng.gen_range(10..w / 3 + 11), rng.gen_range(10..h / 3 + 11));
            let col = Rgb([
                rng.gen_range(0..255u8),
                rng.gen_range(0..255u8),
                rng.gen_range(0..255u8),
            ]);
            for y in y0..(y0 + rh).min(h) {
                for x in x0..(x0 + rw).min(w) {
                    img.put_pixel(x, y, col);
                }
            }
        }
    }
    img
}

/// Sets the expiry and birth dates of a document (for expired / under-age fixtures).
pub fn with_dates(
    mut fields: mrz::MrzFields,
    birth: NaiveDate,
    expiry: NaiveDate,
) -> mrz::MrzFields {
    fields.birth_date = Some(birth);
    fields.expiry_date = Some(expiry);
    fields
}

/// The year `years` before `today` (for age fixtures).
pub fn years_before(today: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(today.year() - years, today.month(), today.day().min(28))
        .unwrap_or(today)
}

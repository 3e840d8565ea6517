//! A small flow layout on top of `pdf-writer`: pages, a cursor, wrapped text, key/value grids,
//! tables that break across pages (repeating their header), badges and image rows.
//!
//! `pdf-writer` only writes PDF objects; everything about where things go lives here, so the report
//! module can read as a list of sections. Pages are kept in memory until the end so the footer can
//! say "page i of n".

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::text::{self, Font};

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 40.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// First baseline area below the running header.
const TOP: f32 = PAGE_H - 66.0;
/// Content never goes below this (the footer lives underneath).
const BOTTOM: f32 = 54.0;

/// An RGB colour, components 0..=1.
pub(crate) type Rgb = (f32, f32, f32);
pub(crate) const INK: Rgb = (0.12, 0.14, 0.18);
pub(crate) const MUTED: Rgb = (0.42, 0.45, 0.50);
pub(crate) const RULE: Rgb = (0.86, 0.88, 0.91);
pub(crate) const BRAND: Rgb = (0.09, 0.22, 0.42);
pub(crate) const WHITE: Rgb = (1.0, 1.0, 1.0);
/// Lines one table cell or grid value may take: a row must fit on one page, so a pathological
/// value (a 100 kB string) is cut rather than drawn off the bottom of the paper.
const MAX_CELL_LINES: usize = 40;
const HEAD_FILL: Rgb = (0.93, 0.95, 0.97);
const ZEBRA: Rgb = (0.975, 0.98, 0.985);

/// A decoded image ready to embed (baseline JPEG, so it goes in as `DCTDecode` untouched).
pub(crate) struct Jpeg {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

struct Page {
    content: Content,
    /// Indices into `Doc::images` drawn on this page.
    images: Vec<usize>,
}

/// One table cell: text plus optional colour and weight.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub color: Option<Rgb>,
    pub bold: bool,
}

impl Cell {
    pub(crate) fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub(crate) fn colored(text: impl Into<String>, color: Rgb) -> Self {
        Self {
            text: text.into(),
            color: Some(color),
            bold: true,
        }
    }
}

/// The document being laid out.
pub(crate) struct Doc {
    pages: Vec<Page>,
    images: Vec<Jpeg>,
    /// Current baseline cursor (top of the next block), in PDF units from the bottom.
    y: f32,
    header_right: String,
    /// Some text had characters the built-in font cannot show.
    pub lossy: bool,
    max_pages: usize,
}

impl Doc {
    pub(crate) fn new(header_right: String, max_pages: usize) -> Self {
        let mut doc = Self {
            pages: Vec::new(),
            images: Vec::new(),
            y: TOP,
            header_right,
            lossy: false,
            max_pages,
        };
        doc.new_page();
        doc
    }

    pub(crate) fn too_long(&self) -> bool {
        self.pages.len() > self.max_pages
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page {
                content: Content::new(),
                images: Vec::new(),
            });
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page {
            content: Content::new(),
            images: Vec::new(),
        });
        self.y = TOP;
        // Running header: brand on the left, session on the right, a hairline under both.
        let right = self.header_right.clone();
        self.text_at(MARGIN_X, PAGE_H - 38.0, Font::Bold, 11.0, BRAND, "verifyd");
        let brand_w = self.measure(Font::Bold, 11.0, "verifyd");
        self.text_at(
            MARGIN_X + brand_w + 6.0,
            PAGE_H - 38.0,
            Font::Regular,
            9.0,
            MUTED,
            "Identity verification report",
        );
        let w = self.measure(Font::Regular, 8.5, &right);
        self.text_at(
            PAGE_W - MARGIN_X - w,
            PAGE_H - 38.0,
            Font::Regular,
            8.5,
            MUTED,
            &right,
        );
        self.hline(PAGE_H - 46.0, MARGIN_X, CONTENT_W, RULE, 0.75);
    }

    /// Start a new page unless `h` points still fit above the bottom margin.
    pub(crate) fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    /// The cursor: top of the next block, in PDF units from the page bottom.
    pub(crate) fn cursor(&self) -> f32 {
        self.y
    }

    pub(crate) fn space(&mut self, h: f32) {
        self.y -= h;
    }

    fn encode(&mut self, s: &str) -> Vec<u8> {
        let e = text::encode(s);
        self.lossy |= e.lossy;
        e.bytes
    }

    pub(crate) fn measure(&mut self, font: Font, size: f32, s: &str) -> f32 {
        let bytes = self.encode(s);
        text::width(font, size, &bytes)
    }

    fn font_name(font: Font) -> Name<'static> {
        match font {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    fn show(&mut self, x: f32, y: f32, font: Font, size: f32, color: Rgb, bytes: &[u8]) {
        let c = &mut self.page().content;
        c.begin_text();
        c.set_font(Self::font_name(font), size);
        c.set_fill_rgb(color.0, color.1, color.2);
        c.next_line(x, y);
        c.show(Str(bytes));
        c.end_text();
    }

    /// Draw one line of text with its baseline at `y`.
    pub(crate) fn text_at(&mut self, x: f32, y: f32, font: Font, size: f32, color: Rgb, s: &str) {
        let bytes = self.encode(s);
        self.show(x, y, font, size, color, &bytes);
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let c = &mut self.page().content;
        c.set_fill_rgb(color.0, color.1, color.2);
        c.rect(x, y, w, h);
        c.fill_nonzero();
    }

    pub(crate) fn hline(&mut self, y: f32, x: f32, w: f32, color: Rgb, width: f32) {
        let c = &mut self.page().content;
        c.set_stroke_rgb(color.0, color.1, color.2);
        c.set_line_width(width.max(0.0));
        c.move_to(x, y);
        c.line_to(x + w, y);
        c.stroke();
    }

    /// A filled rectangle with rounded corners (radius `r`).
    pub(crate) fn round_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, color: Rgb) {
        let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
        // Control-point distance for a quarter circle drawn with one cubic.
        let k = r * 0.552_284_8;
        let c = &mut self.page().content;
        c.set_fill_rgb(color.0, color.1, color.2);
        c.move_to(x + r, y);
        c.line_to(x + w - r, y);
        c.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
        c.line_to(x + w, y + h - r);
        c.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
        c.line_to(x + r, y + h);
        c.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
        c.line_to(x, y + r);
        c.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
        c.close_path();
        c.fill_nonzero();
    }

    /// A pill with white bold text; `y` is the pill's bottom. Returns its width.
    pub(crate) fn badge(&mut self, x: f32, y: f32, size: f32, color: Rgb, label: &str) -> f32 {
        let w = self.measure(Font::Bold, size, label) + size * 1.6;
        let h = size * 1.9;
        self.round_rect(x, y, w, h, h / 2.0, color);
        self.text_at(
            x + size * 0.8,
            y + size * 0.62,
            Font::Bold,
            size,
            WHITE,
            label,
        );
        w
    }

    /// Wrapped paragraph across the content width (or from `indent`).
    pub(crate) fn paragraph(&mut self, s: &str, font: Font, size: f32, color: Rgb) {
        let bytes = self.encode(s);
        let leading = size * 1.35;
        for line in text::wrap(font, size, &bytes, CONTENT_W) {
            self.ensure(leading);
            self.y -= leading;
            self.show(MARGIN_X, self.y + size * 0.25, font, size, color, &line);
        }
    }

    /// A section title with a rule; keeps at least `keep` points of the following block with it.
    pub(crate) fn heading(&mut self, title: &str, keep: f32) {
        self.ensure(34.0 + keep);
        self.y -= 22.0;
        self.text_at(MARGIN_X, self.y, Font::Bold, 13.0, BRAND, title);
        self.y -= 6.0;
        self.hline(self.y, MARGIN_X, CONTENT_W, BRAND, 1.0);
        self.y -= 6.0;
    }

    /// A section title with the element's node id and a status badge on the right.
    pub(crate) fn heading_with(
        &mut self,
        title: &str,
        node: Option<&str>,
        status: Option<(&str, Rgb)>,
        keep: f32,
    ) {
        self.heading(title, keep);
        let y = self.y + 12.0;
        let mut right = PAGE_W - MARGIN_X;
        if let Some((label, color)) = status {
            let w = self.measure(Font::Bold, 8.0, label) + 12.8;
            right -= w;
            self.badge(right, y - 3.0, 8.0, color, label);
            right -= 8.0;
        }
        if let Some(node) = node {
            let label = format!("node {node}");
            let w = self.measure(Font::Regular, 8.0, &label);
            self.text_at(right - w, y + 1.0, Font::Regular, 8.0, MUTED, &label);
        }
        self.y -= 2.0;
    }

    /// A sub-title inside a section (one feature element, say), with an optional status badge.
    pub(crate) fn subheading(&mut self, title: &str, status: Option<(&str, Rgb)>, keep: f32) {
        self.ensure(24.0 + keep);
        self.y -= 17.0;
        self.text_at(MARGIN_X, self.y, Font::Bold, 10.5, INK, title);
        if let Some((label, color)) = status {
            let x = MARGIN_X + self.measure(Font::Bold, 10.5, title) + 8.0;
            self.badge(x, self.y - 3.5, 7.5, color, label);
        }
        self.y -= 5.0;
    }

    /// Label/value pairs in two columns: small grey label above a wrapped value.
    pub(crate) fn kv_grid(&mut self, items: &[(String, String)]) {
        const COLS: usize = 2;
        let gap = 16.0;
        let col_w = (CONTENT_W - gap * (COLS as f32 - 1.0)) / COLS as f32;
        let (label_size, value_size) = (7.0, 9.0);
        let leading = value_size * 1.3;
        for row in items.chunks(COLS) {
            let cells: Vec<(Vec<u8>, Vec<Vec<u8>>)> = row
                .iter()
                .map(|(k, v)| {
                    let label = self.encode(&k.to_uppercase());
                    let value = self.encode(v);
                    let lines = text::wrap(Font::Regular, value_size, &value, col_w);
                    (label, clip_lines(lines, Font::Regular, value_size, col_w))
                })
                .collect();
            let lines = cells.iter().map(|c| c.1.len()).max().unwrap_or(1);
            let h = 10.0 + lines as f32 * leading + 4.0;
            self.ensure(h);
            let top = self.y;
            for (i, (label, value)) in cells.iter().enumerate() {
                let x = MARGIN_X + i as f32 * (col_w + gap);
                let label = text::truncate(Font::Bold, label_size, label, col_w);
                self.show(x, top - 9.0, Font::Bold, label_size, MUTED, &label);
                for (j, line) in value.iter().enumerate() {
                    let y = top - 10.0 - (j as f32 + 1.0) * leading + 2.5;
                    self.show(x, y, Font::Regular, value_size, INK, line);
                }
            }
            self.y -= h;
        }
    }

    /// A table with a shaded header row; rows never split, and the header repeats on each page.
    /// `widths` are fractions of the content width.
    pub(crate) fn table(&mut self, headers: &[&str], widths: &[f32], rows: &[Vec<Cell>]) {
        let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
        let cols: Vec<f32> = widths.iter().map(|w| w / total * CONTENT_W).collect();
        let size = 8.0;
        let leading = size * 1.3;
        let pad = 4.0;
        self.ensure(2.0 * (leading + 2.0 * pad) + 4.0);
        self.table_header(headers, &cols, size, pad);
        for (r, row) in rows.iter().enumerate() {
            let wrapped: Vec<(Vec<Vec<u8>>, &Cell)> = row
                .iter()
                .zip(&cols)
                .map(|(cell, w)| {
                    let font = if cell.bold { Font::Bold } else { Font::Regular };
                    let bytes = self.encode(&cell.text);
                    let max = (w - 2.0 * pad).max(10.0);
                    let lines = text::wrap(font, size, &bytes, max);
                    (clip_lines(lines, font, size, max), cell)
                })
                .collect();
            let lines = wrapped.iter().map(|w| w.0.len()).max().unwrap_or(1);
            let h = lines as f32 * leading + 2.0 * pad;
            if self.y - h < BOTTOM {
                self.new_page();
                self.table_header(headers, &cols, size, pad);
            }
            if r % 2 == 1 {
                self.fill_rect(MARGIN_X, self.y - h, CONTENT_W, h, ZEBRA);
            }
            let mut x = MARGIN_X;
            for ((lines, cell), w) in wrapped.iter().zip(&cols) {
                let font = if cell.bold { Font::Bold } else { Font::Regular };
                let color = cell.color.unwrap_or(INK);
                for (j, line) in lines.iter().enumerate() {
                    let y = self.y - pad - (j as f32 + 1.0) * leading + 2.6;
                    self.show(x + pad, y, font, size, color, line);
                }
                x += w;
            }
            self.y -= h;
            self.hline(self.y, MARGIN_X, CONTENT_W, RULE, 0.5);
        }
    }

    fn table_header(&mut self, headers: &[&str], cols: &[f32], size: f32, pad: f32) {
        let h = size * 1.3 + 2.0 * pad;
        self.fill_rect(MARGIN_X, self.y - h, CONTENT_W, h, HEAD_FILL);
        let mut x = MARGIN_X;
        for (title, w) in headers.iter().zip(cols) {
            let bytes = self.encode(&title.to_uppercase());
            let bytes = text::truncate(Font::Bold, size - 1.0, &bytes, w - 2.0 * pad);
            self.show(
                x + pad,
                self.y - h + pad + 2.4,
                Font::Bold,
                size - 1.0,
                MUTED,
                &bytes,
            );
            x += w;
        }
        self.y -= h;
    }

    /// Register a JPEG for embedding; returns its index for [`Doc::image_row`].
    pub(crate) fn add_image(&mut self, jpeg: Jpeg) -> usize {
        self.images.push(jpeg);
        self.images.len() - 1
    }

    /// Images side by side, each fitted into a box with its label underneath.
    pub(crate) fn image_row(&mut self, items: &[(String, usize)], box_h: f32) {
        const PER_ROW: usize = 4;
        let gap = 14.0;
        let box_w = (CONTENT_W - gap * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
        for row in items.chunks(PER_ROW) {
            let h = box_h + 22.0;
            self.ensure(h);
            let top = self.y - 4.0;
            for (i, (label, idx)) in row.iter().enumerate() {
                let x0 = MARGIN_X + i as f32 * (box_w + gap);
                self.fill_rect(x0, top - box_h, box_w, box_h, HEAD_FILL);
                let Some(img) = self.images.get(*idx) else {
                    continue;
                };
                let (iw, ih) = (img.width.max(1) as f32, img.height.max(1) as f32);
                let scale = (box_w / iw).min(box_h / ih);
                let (w, h) = (iw * scale, ih * scale);
                let (x, y) = (x0 + (box_w - w) / 2.0, top - box_h + (box_h - h) / 2.0);
                let name = format!("Im{idx}");
                let page = self.page();
                if !page.images.contains(idx) {
                    page.images.push(*idx);
                }
                let c = &mut page.content;
                c.save_state();
                c.transform([w, 0.0, 0.0, h, x, y]);
                c.x_object(Name(name.as_bytes()));
                c.restore_state();
                let lw = self.measure(Font::Regular, 8.0, label);
                self.text_at(
                    x0 + ((box_w - lw) / 2.0).max(0.0),
                    top - box_h - 11.0,
                    Font::Regular,
                    8.0,
                    MUTED,
                    label,
                );
            }
            self.y -= h;
        }
    }

    /// Write the footers and serialise everything into PDF bytes.
    pub(crate) fn finish(mut self, title: &str, footer_left: &str, created: Date) -> Vec<u8> {
        let n = self.pages.len();
        for i in 0..n {
            let right = format!("Page {} of {}", i + 1, n);
            let page = &mut self.pages[i];
            let mut tmp = Doc {
                pages: vec![Page {
                    content: std::mem::replace(&mut page.content, Content::new()),
                    images: Vec::new(),
                }],
                images: Vec::new(),
                y: 0.0,
                header_right: String::new(),
                lossy: false,
                max_pages: 1,
            };
            tmp.hline(42.0, MARGIN_X, CONTENT_W, RULE, 0.75);
            tmp.text_at(MARGIN_X, 30.0, Font::Regular, 7.5, MUTED, footer_left);
            let w = tmp.measure(Font::Regular, 7.5, &right);
            tmp.text_at(
                PAGE_W - MARGIN_X - w,
                30.0,
                Font::Regular,
                7.5,
                MUTED,
                &right,
            );
            if let Some(p) = tmp.pages.pop() {
                self.pages[i].content = p.content;
            }
        }

        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = alloc();
        let tree = alloc();
        let regular = alloc();
        let bold = alloc();
        let info = alloc();
        let image_refs: Vec<Ref> = self.images.iter().map(|_| alloc()).collect();
        let page_refs: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();

        let mut pdf = Pdf::new();
        pdf.set_version(1, 4);
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_refs.iter().map(|p| p.0))
            .count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("verifyd"))
            .creator(TextStr("verifyd session report"))
            .creation_date(created);

        for (img, id) in self.images.iter().zip(&image_refs) {
            let mut x = pdf.image_xobject(*id, &img.bytes);
            x.filter(Filter::DctDecode);
            x.width(i32::try_from(img.width).unwrap_or(1));
            x.height(i32::try_from(img.height).unwrap_or(1));
            x.color_space().device_rgb();
            x.bits_per_component(8);
            x.finish();
        }

        for (page, (page_ref, content_ref)) in self.pages.into_iter().zip(&page_refs) {
            let mut p = pdf.page(*page_ref);
            p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            p.parent(tree);
            p.contents(*content_ref);
            let mut res = p.resources();
            res.fonts()
                .pair(Name(b"F1"), regular)
                .pair(Name(b"F2"), bold);
            if !page.images.is_empty() {
                let mut xo = res.x_objects();
                for idx in &page.images {
                    if let Some(r) = image_refs.get(*idx) {
                        let name = format!("Im{idx}");
                        xo.pair(Name(name.as_bytes()), *r);
                    }
                }
                xo.finish();
            }
            res.finish();
            p.finish();
            let raw = page.content.finish();
            let packed = compress_to_vec_zlib(&raw, 6);
            pdf.stream(*content_ref, &packed)
                .filter(Filter::FlateDecode);
        }
        pdf.finish()
    }
}

/// Keep at most [`MAX_CELL_LINES`] lines, marking the cut with an ellipsis.
fn clip_lines(mut lines: Vec<Vec<u8>>, font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    if lines.len() > MAX_CELL_LINES {
        lines.truncate(MAX_CELL_LINES);
        if let Some(last) = lines.last_mut() {
            let mut l = std::mem::take(last);
            l.extend_from_slice(b" ...");
            // `truncate` appends its own ellipsis when it has to shorten the line.
            *last = text::truncate(font, size, &l, max);
        }
    }
    lines
}

/// A PDF date from a UTC timestamp.
pub(crate) fn pdf_date(t: chrono::DateTime<chrono::Utc>) -> Date {
    use chrono::{Datelike, Timelike};
    let small = |v: u32| u8::try_from(v).unwrap_or(0);
    Date::new(u16::try_from(t.year()).unwrap_or(0))
        .month(small(t.month()))
        .day(small(t.day()))
        .hour(small(t.hour()))
        .minute(small(t.minute()))
        .second(small(t.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

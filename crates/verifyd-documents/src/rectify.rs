//! Perspective correction: finds the document's outline in a photo and maps it back to a
//! rectangle.
//!
//! A document photographed at an angle is a quadrilateral whose far side is shorter than its
//! near side, so its characters shrink and lean along each line; the recogniser reads such lines
//! worse (names, which have no check digit, first). The outline is found on a small copy of
//! the photo: edges (Canny), the convex hull of the largest connected outline, simplified to a
//! polygon; four corners that are not already a rectangle define a homography, and the
//! document is resampled upright through it. In-plane rotation alone is left to the reader,
//! which handles it without resampling, and so is anything that is not clearly a document.

use image::{imageops, GrayImage, Rgb, RgbImage};
use imageproc::contours::{find_contours, BorderType};
use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};
use imageproc::geometry::{approximate_polygon_dp, arc_length, contour_area, convex_hull};
use imageproc::point::Point;

/// Longest side of the copy the outline is searched on.
const SEARCH_SIDE: u32 = 400;
/// Canny hysteresis thresholds (gradient magnitude on 8-bit grey).
const CANNY_LOW: f32 = 20.0;
const CANNY_HIGH: f32 = 60.0;
/// The outline must cover at least this fraction of the photo.
const MIN_AREA: f64 = 0.2;
/// Fraction of each side that must lie on detected edges.
const MIN_SUPPORT: f32 = 0.2;
/// Polygon simplification tolerance, as a fraction of the outline's perimeter.
const SIMPLIFY: f64 = 0.03;
/// Corners within this many degrees of a right angle are a rectangle already: no resampling.
const FLAT_DEGREES: f32 = 2.0;
/// Corners further than this from a right angle are not a document seen at a usable angle.
const MAX_SKEW_DEGREES: f32 = 25.0;
/// Margin kept around the rectified document, as a fraction of its size (the outline sits on
/// the card's edge; text near it must not be cut).
const MARGIN: f32 = 0.03;

/// The document's corners in `img` pixels — top-left, top-right, bottom-right, bottom-left as
/// the photo is oriented — when a clear four-cornered outline covers enough of it.
pub fn find_document(img: &RgbImage) -> Option<[(f32, f32); 4]> {
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let scale = SEARCH_SIDE as f32 / w.max(h) as f32;
    // `thumbnail` averages areas with integer arithmetic: much cheaper than a filtered resize.
    let small: GrayImage = image::DynamicImage::ImageRgb8(imageops::thumbnail(
        img,
        ((w as f32 * scale) as u32).max(8),
        ((h as f32 * scale) as u32).max(8),
    ))
    .to_luma8();
    let edges = imageproc::morphology::dilate(
        &imageproc::edges::canny(&small, CANNY_LOW, CANNY_HIGH),
        imageproc::distance_transform::Norm::LInf,
        1,
    );
    let image_area = f64::from(small.width()) * f64::from(small.height());
    // Only outlines whose bounding box could hold a large enough document are hulled.
    let big_enough = |points: &[Point<i32>]| {
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for p in points {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        f64::from(x1 - x0) * f64::from(y1 - y0) >= MIN_AREA * image_area
    };
    let hull = find_contours::<i32>(&edges)
        .into_iter()
        .filter(|c| c.border_type == BorderType::Outer && big_enough(&c.points))
        .map(|c| convex_hull(c.points))
        .max_by(|a, b| contour_area(a).total_cmp(&contour_area(b)))?;
    if contour_area(&hull) < MIN_AREA * image_area {
        return None;
    }
    let poly: Vec<Point<i32>> =
        approximate_polygon_dp(&hull, SIMPLIFY * arc_length(&hull, true), true);
    let corners: Vec<(f32, f32)> = poly.iter().map(|p| (p.x as f32, p.y as f32)).collect();
    let quad: [(f32, f32); 4] = corners.try_into().ok()?;
    // Every side must run along an edge: a hull that swallowed an object next to the card has
    // a side across open table.
    let supported = (0..4).all(|i| edge_support(&edges, quad[i], quad[(i + 1) % 4]) >= MIN_SUPPORT);
    if !supported {
        return None;
    }
    Some(order_corners(quad.map(|(x, y)| (x / scale, y / scale))))
}

/// Fraction of points along the segment `a`–`b` that fall on an edge pixel.
fn edge_support(edges: &GrayImage, a: (f32, f32), b: (f32, f32)) -> f32 {
    const SAMPLES: u32 = 48;
    let hits = (0..SAMPLES)
        .filter(|k| {
            let t = (*k as f32 + 0.5) / SAMPLES as f32;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            edges
                .get_pixel_checked(x.round() as u32, y.round() as u32)
                .is_some_and(|p| p[0] > 0)
        })
        .count();
    hits as f32 / SAMPLES as f32
}

/// Orders four corners clockwise starting from the one nearest the photo's top-left.
fn order_corners(mut q: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let (cx, cy) = (
        q.iter().map(|p| p.0).sum::<f32>() / 4.0,
        q.iter().map(|p| p.1).sum::<f32>() / 4.0,
    );
    // Image y grows downwards, so increasing angle is clockwise on screen.
    q.sort_by(|a, b| {
        (a.1 - cy)
            .atan2(a.0 - cx)
            .total_cmp(&(b.1 - cy).atan2(b.0 - cx))
    });
    let first = (0..4)
        .min_by(|&i, &j| (q[i].0 + q[i].1).total_cmp(&(q[j].0 + q[j].1)))
        .unwrap_or(0);
    q.rotate_left(first);
    q
}

/// The largest deviation from a right angle among the quad's corners, in degrees.
fn skew_degrees(q: &[(f32, f32); 4]) -> f32 {
    (0..4)
        .map(|i| {
            let (p, a, b) = (q[i], q[(i + 3) % 4], q[(i + 1) % 4]);
            let (u, v) = ((a.0 - p.0, a.1 - p.1), (b.0 - p.0, b.1 - p.1));
            let cos = (u.0 * v.0 + u.1 * v.1) / (u.0.hypot(u.1) * v.0.hypot(v.1)).max(1e-6);
            (cos.clamp(-1.0, 1.0).acos().to_degrees() - 90.0).abs()
        })
        .fold(0.0, f32::max)
}

fn distance(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// The document resampled to a rectangle, when the photo shows it at an angle; `None` when
/// no clear outline was found or it is a rectangle already.
pub fn rectify(img: &RgbImage) -> Option<RgbImage> {
    let q = find_document(img)?;
    let skew = skew_degrees(&q);
    if !(FLAT_DEGREES..=MAX_SKEW_DEGREES).contains(&skew) {
        return None;
    }
    let [tl, tr, br, bl] = q;
    let w = distance(tl, tr).max(distance(bl, br));
    let h = distance(tl, bl).max(distance(tr, br));
    let (mx, my) = (w * MARGIN, h * MARGIN);
    let (ow, oh) = ((w + 2.0 * mx).round(), (h + 2.0 * my).round());
    if ow < 16.0 || oh < 16.0 || ow * oh > 4.0 * (img.width() * img.height()) as f32 {
        return None;
    }
    let target = [(mx, my), (mx + w, my), (mx + w, my + h), (mx, my + h)];
    let projection = Projection::from_control_points(q, target)?;
    let mut out = RgbImage::new(ow as u32, oh as u32);
    warp_into(
        img,
        &projection,
        Interpolation::Bilinear,
        Rgb([255, 255, 255]),
        &mut out,
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_are_ordered_clockwise_from_top_left() {
        let q = order_corners([(90.0, 80.0), (10.0, 12.0), (12.0, 85.0), (95.0, 8.0)]);
        assert_eq!(q, [(10.0, 12.0), (95.0, 8.0), (90.0, 80.0), (12.0, 85.0)]);
        assert!(skew_degrees(&q) > FLAT_DEGREES);
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        assert!(skew_degrees(&square) < 0.01);
    }

    #[test]
    fn a_tilted_card_is_found_and_squared() {
        // A white card drawn as a trapezoid on a dark table.
        let mut img = RgbImage::from_pixel(400, 300, Rgb([40, 50, 60]));
        let quad = [(60.0, 50.0), (340.0, 70.0), (330.0, 240.0), (70.0, 260.0)];
        let inside = |x: f32, y: f32| {
            (0..4).all(|i| {
                let (a, b) = (quad[i], quad[(i + 1) % 4]);
                (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0) >= 0.0
            })
        };
        for (x, y, p) in img.enumerate_pixels_mut() {
            if inside(x as f32, y as f32) {
                *p = Rgb([235, 235, 230]);
            }
        }
        let found = find_document(&img).expect("card found");
        for (f, q) in found.iter().zip(quad) {
            assert!(distance(*f, q) < 6.0, "{found:?} vs {quad:?}");
        }
        let out = rectify(&img).expect("resampled");
        // Roughly the card's size, and the card fills it (its corners are card-coloured).
        assert!((270..330).contains(&out.width()), "{}", out.width());
        let inset = |x: u32, y: u32| out.get_pixel(x, y)[0] > 200;
        let (w, h) = (out.width(), out.height());
        assert!(inset(w / 10, h / 10) && inset(w - w / 10, h - h / 10));
    }
}

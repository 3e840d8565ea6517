//! Alignment: a least-squares similarity transform (rotation, uniform scale,
//! translation) from YuNet's five landmarks onto the dlib 150×150 template.

use image::RgbImage;

use crate::detect::Detection;
use crate::imaging::{warp_antialiased, Affine};

/// Chip side expected by the dlib ResNet.
pub(crate) const CHIP_SIZE: u32 = 150;

/// Where the five landmarks sit on a 150×150 dlib chip: fitted on real faces
/// (per-point spread ≤ 6 px), from the shared models MANIFEST, face_recognition
/// section. Order as YuNet's: image-left eye, image-right eye, nose, mouth corners.
pub(crate) const DLIB_TEMPLATE: [[f32; 2]; 5] = [
    [46.28, 45.80],
    [103.18, 45.20],
    [75.19, 79.01],
    [49.62, 104.64],
    [99.81, 104.38],
];

/// Least-squares similarity transform mapping `src` points onto `dst` points
/// (the closed form of Umeyama's method restricted to 2-D without reflection).
pub(crate) fn similarity(src: &[[f32; 2]; 5], dst: &[[f32; 2]; 5]) -> Option<Affine> {
    let n = src.len() as f32;
    let mean = |p: &[[f32; 2]; 5]| {
        let (sx, sy) = p.iter().fold((0.0, 0.0), |(x, y), q| (x + q[0], y + q[1]));
        (sx / n, sy / n)
    };
    let (mx, my) = mean(src);
    let (nx, ny) = mean(dst);
    let (mut a, mut b, mut norm) = (0f32, 0f32, 0f32);
    for (p, q) in src.iter().zip(dst) {
        let (px, py) = (p[0] - mx, p[1] - my);
        let (qx, qy) = (q[0] - nx, q[1] - ny);
        a += px * qx + py * qy;
        b += px * qy - py * qx;
        norm += px * px + py * py;
    }
    if norm < 1e-6 {
        return None;
    }
    let (ca, sb) = (a / norm, b / norm); // s·cosθ, s·sinθ
    Some(Affine([
        ca,
        -sb,
        nx - (ca * mx - sb * my),
        sb,
        ca,
        ny - (sb * mx + ca * my),
    ]))
}

/// The aligned 150×150 RGB chip for the dlib embedder, or `None` for
/// degenerate landmarks.
pub(crate) fn dlib_chip(img: &RgbImage, det: &Detection) -> Option<RgbImage> {
    let to_chip = similarity(&det.landmarks, &DLIB_TEMPLATE)?;
    let to_src = to_chip.inverse()?;
    Some(warp_antialiased(img, &to_src, CHIP_SIZE, CHIP_SIZE))
}

/// Head pose estimated from landmark geometry alone (no 3-D model): cheap and
/// good enough to flag strongly turned faces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoseEstimate {
    /// In-plane rotation of the eye line, degrees.
    pub roll_deg: f32,
    /// Nose offset from the eye midpoint along the eye line, in eye distances
    /// (0 = frontal; ±0.5 ≈ a half-profile).
    pub yaw_ratio: f32,
    /// Nose height between the eye line (0) and the mouth line (1); ~0.5 frontal.
    pub pitch_ratio: f32,
}

pub(crate) fn pose(det: &Detection) -> PoseEstimate {
    let l = &det.landmarks;
    let (ex, ey) = (l[1][0] - l[0][0], l[1][1] - l[0][1]);
    let eye_dist = (ex * ex + ey * ey).sqrt().max(1e-3);
    let (ux, uy) = (ex / eye_dist, ey / eye_dist); // unit along the eye line
    let (vx, vy) = (-uy, ux); // unit pointing down the face
    let eye_mid = ((l[0][0] + l[1][0]) / 2.0, (l[0][1] + l[1][1]) / 2.0);
    let mouth_mid = ((l[3][0] + l[4][0]) / 2.0, (l[3][1] + l[4][1]) / 2.0);
    let nose = (l[2][0] - eye_mid.0, l[2][1] - eye_mid.1);
    let mouth = (mouth_mid.0 - eye_mid.0, mouth_mid.1 - eye_mid.1);
    let yaw_ratio = (nose.0 * ux + nose.1 * uy) / eye_dist;
    let mouth_down = mouth.0 * vx + mouth.1 * vy;
    let pitch_ratio = if mouth_down.abs() < 1e-3 {
        0.5
    } else {
        (nose.0 * vx + nose.1 * vy) / mouth_down
    };
    PoseEstimate {
        roll_deg: ey.atan2(ex).to_degrees(),
        yaw_ratio,
        pitch_ratio,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_recovers_a_known_transform() {
        // Template scaled by 2, rotated 10°, shifted (30, 40).
        let (s, t) = (2.0f32, 10f32.to_radians());
        let src: [[f32; 2]; 5] = DLIB_TEMPLATE.map(|[x, y]| {
            [
                s * (t.cos() * x - t.sin() * y) + 30.0,
                s * (t.sin() * x + t.cos() * y) + 40.0,
            ]
        });
        let m = similarity(&src, &DLIB_TEMPLATE).unwrap();
        for (p, q) in src.iter().zip(DLIB_TEMPLATE.iter()) {
            let (x, y) = m.apply(p[0], p[1]);
            assert!((x - q[0]).abs() < 1e-2 && (y - q[1]).abs() < 1e-2);
        }
        assert!((m.scale() - 0.5).abs() < 1e-4);
    }
}

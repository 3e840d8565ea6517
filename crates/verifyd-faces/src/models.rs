//! Loading ONNX files into tract plans with pinned input shapes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tract_onnx::prelude::*;

use crate::error::{FaceError, Result};

/// An optimised, runnable tract plan. `Arc` so one plan is shared by every
/// thread: each `run` creates its own scratch state.
pub(crate) type Plan = Arc<TypedRunnableModel>;

/// Model file locations relative to the models directory (the repo's `models/`).
pub(crate) const YUNET: &str = "face_detection/yunet_n_dynamic.tract.onnx";
pub(crate) const DLIB: &str = "face_recognition/dlib_face_recognition_resnet_model_v1.onnx";
pub(crate) const MINIFAS_V2: &str = "antispoof/minifasnet_v2_scale2.7_80x80.onnx";
pub(crate) const MINIFAS_V1SE: &str = "antispoof/minifasnet_v1se_scale4.0_80x80.onnx";
pub(crate) const FACERES: &str = "age_gender/human_faceres.onnx";

/// Load `rel` under `dir`, pin input 0 to `shape`, and return the plan plus the
/// position of each requested output name among the model's outputs.
pub(crate) fn load(
    dir: &Path,
    rel: &str,
    shape: &[usize],
    output_names: &[&str],
) -> Result<(Plan, Vec<usize>)> {
    let path: PathBuf = dir.join(rel);
    let err = |e: &dyn std::fmt::Display| FaceError::ModelLoad {
        path: path.clone(),
        reason: e.to_string(),
    };
    if !path.is_file() {
        return Err(err(&"file not found"));
    }
    let model = tract_onnx::onnx()
        .model_for_path(&path)
        .map_err(|e| err(&e))?
        .with_input_fact(0, f32::fact(shape).into())
        .map_err(|e| err(&e))?;
    let mut positions = Vec::with_capacity(output_names.len());
    let outlets = model.output_outlets().map_err(|e| err(&e))?.to_vec();
    for name in output_names {
        let pos = outlets
            .iter()
            .position(|o| model.node(o.node).name == *name || model.outlet_label(*o) == Some(*name))
            .ok_or_else(|| err(&format!("model has no output named {name}")))?;
        positions.push(pos);
    }
    let plan = model
        .into_optimized()
        .map_err(|e| err(&e))?
        .into_runnable()
        .map_err(|e| err(&e))?;
    Ok((plan, positions))
}

/// Run a plan on one input tensor and return its outputs as owned f32 vectors.
pub(crate) fn run(plan: &Plan, input: Tensor) -> Result<Vec<Vec<f32>>> {
    let outputs = plan
        .run(tvec!(input.into()))
        .map_err(FaceError::inference)?;
    outputs
        .iter()
        .map(|t| {
            t.to_plain_array_view::<f32>()
                .map(|v| v.iter().copied().collect())
                .map_err(FaceError::inference)
        })
        .collect()
}

/// NCHW tensor from an RGB image, channel order chosen by `bgr`, raw 0..255.
pub(crate) fn nchw(img: &image::RgbImage, bgr: bool) -> Result<Tensor> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let plane = w * h;
    let mut data = vec![0f32; 3 * plane];
    for (i, p) in img.pixels().enumerate() {
        let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
        let (c0, c2) = if bgr { (b, r) } else { (r, b) };
        data[i] = c0;
        data[plane + i] = g;
        data[2 * plane + i] = c2;
    }
    Tensor::from_shape(&[1, 3, h, w], &data).map_err(FaceError::inference)
}

/// NHWC tensor, RGB raw 0..255.
pub(crate) fn nhwc_rgb(img: &image::RgbImage) -> Result<Tensor> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let data: Vec<f32> = img.as_raw().iter().map(|&v| f32::from(v)).collect();
    Tensor::from_shape(&[1, h, w, 3], &data).map_err(FaceError::inference)
}

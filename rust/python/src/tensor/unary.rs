//! Unary elementwise ops as Tensor methods (`exp`, `exp_`) and `_C` functions (`exp(input, *, out=None)`).

use pyo3::prelude::*;

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

//! Indexing ops (gather, scatter, index_*, masked_*, take, nonzero) as Tensor methods and `_C` functions.

use pyo3::prelude::*;

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

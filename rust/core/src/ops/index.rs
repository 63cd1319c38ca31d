//! Indexing kernels: gather/scatter, index_select/index_add/index_copy/index_fill, take/put,
//! advanced indexing, masked ops, nonzero. Out-of-range indices are errors that name the sizes,
//! raised before anything is written.
//!
//! Every op here is one of two walks over an iteration shape (`walk::Walk`): element `e` of the
//! shape addresses the indexed tensor at `data_offset + sum(data_strides[d] * e[d]) + idx[e] * mult`,
//! where the indexed dims have a data stride of 0 and `idx` is an int64 tensor seen through
//! strides over the same shape (0 where it does not vary). `gather_walk` reads through it into a
//! fresh output (parallel: outputs never collide); `scatter_walk` writes or combines values into
//! the indexed tensor in element order (serial, so duplicate indices resolve deterministically:
//! the last write wins, reductions see values in order).
//!
//! On the meta device the walks stop after the output's metadata and the device check, and the
//! range checks have no values to read: every op here runs on meta except those whose output
//! depends on the data (masks: `nonzero`, `masked_select`, `masked_scatter_`, bool indices).
//!
//! - [`walk`]: the two walks, how scattered values combine, `by_width`
//! - [`check`]: index dtype and range checks
//! - [`scatter`]: gather / scatter / scatter_reduce along a dim
//! - [`select`]: index_select, index_add_, index_copy_, index_fill_
//! - [`take`]: take, put_ (flat indices)
//! - [`advanced`]: `t[indices]`, index_put_
//! - [`masked`]: masked_fill_, masked_select, masked_scatter_, nonzero

mod advanced;
mod check;
mod masked;
mod scatter;
mod select;
mod take;
mod walk;

pub use advanced::{expand_masks, index, index_put_};
pub use masked::{masked_fill_, masked_scatter_, masked_select, nonzero};
pub use scatter::{gather, scatter_, scatter_parsed_, ScatterReduce, ScatterSrc};
pub use select::{index_add_, index_copy_, index_fill_, index_select};
pub use take::{put_, take};
pub(crate) use walk::by_width;

//! The kernels of `rstorch.nn` (convolution, pooling, normalisation, losses...), one file per
//! family. Like every core op they compute the output metadata first, allocate on the operands'
//! device and stop there on `meta`.
pub mod pool;

//! Indexing kernels: gather/scatter, index_select/index_add/index_copy/index_fill/index_put,
//! masked ops, take, nonzero. Out-of-range indices are errors that name the sizes.

//! Sorting and searching: sort/argsort (stable), topk, kthvalue, unique, searchsorted,
//! bucketize, bincount, histc.

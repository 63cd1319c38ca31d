//! Unary elementwise ops (math, rounding, predicates, clamp): one `UnaryOp` per op, run
//! through the generic elementwise drivers of `ops`.

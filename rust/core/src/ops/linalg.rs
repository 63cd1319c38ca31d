//! Matrix products (matmul family through a real GEMM) and small dense linear algebra.

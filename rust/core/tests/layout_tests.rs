//! Layout view ops checked three ways:
//! - against brute force: for random layouts and arguments, every element of a view must sit
//!   at the storage offset that plain index arithmetic on the source gives;
//! - against PyTorch: shapes, strides and offsets recorded from torch for tricky cases;
//! - error messages and kinds, as torch words them.

use rstorch::layout::Layout;
use rstorch::shape::Dims;
use rstorch::iter::Plan;
use rstorch::Error;

// ---------------------------------------------------------------- helpers

/// SplitMix64: a tiny deterministic PRNG, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn below(&mut self, n: usize) -> usize {
        self.range(0, n as i64 - 1) as usize
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    /// A dim of an `ndim`-dim layout, written negatively half the time.
    fn dim(&mut self, ndim: usize) -> i64 {
        let d = self.below(ndim) as i64;
        if self.coin() {
            d - ndim as i64
        } else {
            d
        }
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

fn lay(shape: &[usize], strides: &[usize], offset: usize) -> Layout {
    Layout::new(shape.into(), strides.into(), offset)
}

fn geom(l: &Layout) -> (Vec<usize>, Vec<usize>, usize) {
    (l.shape().to_vec(), l.strides().to_vec(), l.offset())
}

/// All multi-indices of `shape` in row-major order, by division (independent of iter::Plan).
fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = shape.iter().product();
    (0..n)
        .map(|mut k| {
            let mut idx = vec![0; shape.len()];
            for d in (0..shape.len()).rev() {
                idx[d] = k % shape[d];
                k /= shape[d];
            }
            idx
        })
        .collect()
}

/// The storage offset of element `idx`, by definition.
fn at(l: &Layout, idx: &[usize]) -> usize {
    assert_eq!(idx.len(), l.ndim());
    assert!(
        idx.iter().zip(l.shape()).all(|(i, s)| i < s),
        "{idx:?} outside {:?}",
        l.shape()
    );
    l.offset()
        + idx
            .iter()
            .zip(l.strides())
            .map(|(i, s)| i * s)
            .sum::<usize>()
}

fn naive_offsets(l: &Layout) -> Vec<usize> {
    indices(l.shape()).iter().map(|i| at(l, i)).collect()
}

/// The element offsets the kernels visit: `iter::Plan`'s rows (merged dims), in order.
fn plan_offsets(shape: &[usize], strides: &[usize], offset: usize) -> Vec<usize> {
    let mut out = Vec::new();
    Plan::new(shape, [strides], [offset]).for_each_row(|[o], len, [s]| out.extend((0..len).map(|k| o + k * s)));
    out
}

/// Checks every way of walking `view` against index arithmetic, and that element `i` of
/// `view` is element `source_index(i)` of `src`.
fn check_view(view: &Layout, src: &Layout, source_index: impl Fn(&[usize]) -> Vec<usize>) {
    let expected: Vec<usize> = indices(view.shape())
        .iter()
        .map(|i| at(src, &source_index(i)))
        .collect();
    assert_eq!(naive_offsets(view), expected, "view {view:?} of {src:?}");
    assert_eq!(plan_offsets(view.shape(), view.strides(), view.offset()), expected, "Plan rows of {view:?}");
}

/// A view with the same elements in the same row-major order as `src`.
fn check_same_order(view: &Layout, src: &Layout) {
    assert_eq!(view.numel(), src.numel());
    let src_indices = indices(src.shape());
    let shape = view.shape().to_vec();
    let strides: Vec<usize> = (0..shape.len())
        .map(|d| shape[d + 1..].iter().product())
        .collect();
    check_view(view, src, |i| {
        let flat: usize = i.iter().zip(&strides).map(|(a, b)| a * b).sum();
        src_indices[flat].clone()
    });
}

/// A random layout: random sizes (some 0 and 1), strides (some 0, some overlapping) and offset.
fn random_layout(rng: &mut Rng) -> Layout {
    let ndim = rng.below(5);
    let shape: Vec<usize> = (0..ndim)
        .map(|_| {
            if rng.below(12) == 0 {
                0
            } else {
                rng.range(1, 4) as usize
            }
        })
        .collect();
    let offset = rng.below(4);
    if rng.coin() {
        return lay(&shape, &rng_strides(rng, ndim), offset);
    }
    // A realistic one: contiguous storage, then permuted and narrowed.
    let mut l = Layout::contiguous_with_offset(&shape, offset);
    let mut perm: Vec<i64> = (0..ndim as i64).collect();
    rng.shuffle(&mut perm);
    l = l.permute(&perm).unwrap();
    if ndim > 0 && rng.coin() {
        let d = rng.below(ndim);
        let size = l.shape()[d] as i64;
        let start = rng.range(0, size);
        l = l
            .narrow(d as i64, start, rng.range(0, size - start))
            .unwrap();
    }
    l
}

fn rng_strides(rng: &mut Rng, ndim: usize) -> Vec<usize> {
    (0..ndim).map(|_| rng.below(7)).collect()
}

/// A random shape with `numel` elements (some size-1 dims sprinkled in).
fn random_shape_with_numel(rng: &mut Rng, numel: usize) -> Vec<usize> {
    let mut shape = Vec::new();
    let mut left = numel;
    if numel == 0 {
        shape.push(0);
        left = 1;
    }
    while left > 1 {
        let divisors: Vec<usize> = (2..=left).filter(|d| left % d == 0).collect();
        let d = divisors[rng.below(divisors.len())];
        shape.push(d);
        left /= d;
    }
    for _ in 0..rng.below(3) {
        let pos = rng.below(shape.len() + 1);
        shape.insert(pos, 1);
    }
    rng.shuffle(&mut shape);
    shape
}

/// Whether some strides view `src`'s elements, in order, as `shape`: found by brute force from
/// the offsets of the unit steps, then checked on every element.
fn brute_force_viewable(src: &Layout, shape: &[usize]) -> bool {
    let offsets = naive_offsets(src);
    if offsets.is_empty() {
        return true;
    }
    let contiguous: Vec<usize> = (0..shape.len())
        .map(|d| shape[d + 1..].iter().product())
        .collect();
    let mut strides = vec![0usize; shape.len()];
    for d in 0..shape.len() {
        if shape[d] > 1 {
            match offsets[contiguous[d]].checked_sub(offsets[0]) {
                Some(s) => strides[d] = s,
                None => return false,
            }
        }
    }
    naive_offsets(&lay(shape, &strides, offsets[0])) == offsets
}

fn err<T: std::fmt::Debug>(r: rstorch::Result<T>) -> Error {
    r.expect_err("expected an error")
}

fn runtime(r: rstorch::Result<impl std::fmt::Debug>, msg: &str) {
    assert_eq!(err(r), Error::Runtime(msg.into()));
}

fn index_err(r: rstorch::Result<impl std::fmt::Debug>, msg: &str) {
    assert_eq!(err(r), Error::Index(msg.into()));
}

fn dim_err(r: rstorch::Result<impl std::fmt::Debug>, dim: i64, ndim: i64) {
    let n = ndim.max(1);
    assert_eq!(
        err(r),
        Error::DimOutOfRange {
            dim,
            lo: -n,
            hi: n - 1
        }
    );
}

const CASES: usize = 400;

// ---------------------------------------------------------------- brute force

#[test]
fn plan_and_collapse_match_index_arithmetic() {
    let mut rng = Rng(1);
    for _ in 0..CASES {
        let l = random_layout(&mut rng);
        check_view(&l, &l, |i| i.to_vec());
        let (shape, strides) = l.collapsed();
        let c = plan_offsets(&shape, &strides, l.offset());
        assert_eq!(
            c,
            naive_offsets(&l),
            "collapsed {:?} of {l:?}",
            (shape, strides)
        );
        assert!(shape.iter().all(|&s| s != 1) || shape.as_slice() == [1]);
        assert_eq!(plan_offsets(l.shape(), l.strides(), l.offset()), c);
    }
}

#[test]
fn is_contiguous_matches_brute_force() {
    let mut rng = Rng(2);
    for _ in 0..CASES {
        let l = random_layout(&mut rng);
        let offsets = naive_offsets(&l);
        let dense = offsets
            .iter()
            .enumerate()
            .all(|(k, &o)| o == l.offset() + k);
        assert_eq!(l.is_contiguous(), dense, "{l:?}");
        let max = offsets.iter().max().map_or(0, |m| m + 1);
        assert_eq!(l.max_offset_plus_one(), max, "{l:?}");
    }
}

#[test]
fn view_is_exactly_the_copy_free_reshapes() {
    let mut rng = Rng(3);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..CASES * 2 {
        let src = random_layout(&mut rng);
        let shape = random_shape_with_numel(&mut rng, src.numel());
        match src.try_view(&shape) {
            Some(v) => {
                ok += 1;
                assert_eq!(v.shape(), shape.as_slice());
                check_same_order(&v, &src);
                let mut with_infer: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
                if src.numel() > 0 && !with_infer.is_empty() {
                    let d = rng.below(with_infer.len());
                    with_infer[d] = -1;
                }
                assert_eq!(src.view(&with_infer).unwrap(), v);
            }
            None => {
                refused += 1;
                // Torch's algorithm is exact for layouts without overlapping elements.
                let offsets = naive_offsets(&src);
                let mut sorted = offsets.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() == offsets.len() {
                    assert!(
                        !brute_force_viewable(&src, &shape),
                        "{src:?} as {shape:?} is a view"
                    );
                }
                assert!(src
                    .view(&shape.iter().map(|&s| s as i64).collect::<Vec<_>>())
                    .is_err());
            }
        }
    }
    assert!(ok > 100 && refused > 50, "ok {ok}, refused {refused}");
}

#[test]
fn permute_transpose_movedim() {
    let mut rng = Rng(4);
    for _ in 0..CASES {
        let src = random_layout(&mut rng);
        let n = src.ndim();
        let mut perm: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut perm);
        let dims: Vec<i64> = perm
            .iter()
            .map(|&d| {
                if rng.coin() {
                    d as i64 - n as i64
                } else {
                    d as i64
                }
            })
            .collect();
        let v = src.permute(&dims).unwrap();
        check_view(&v, &src, |i| {
            let mut j = vec![0; n];
            for (k, &p) in perm.iter().enumerate() {
                j[p] = i[k];
            }
            j
        });
        if n == 0 {
            assert_eq!(src.transpose(0, -1).unwrap(), src);
            continue;
        }
        let (a, b) = (rng.dim(n), rng.dim(n));
        let (ua, ub) = ((a + n as i64) as usize % n, (b + n as i64) as usize % n);
        let v = src.transpose(a, b).unwrap();
        check_view(&v, &src, |i| {
            let mut j = i.to_vec();
            j.swap(ua, ub);
            j
        });
        // movedim: a random set of distinct source dims to distinct destinations.
        let k = rng.below(n + 1);
        let mut s: Vec<usize> = (0..n).collect();
        let mut d: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut s);
        rng.shuffle(&mut d);
        let (s, d) = (&s[..k], &d[..k]);
        let v = src
            .movedim(
                &s.iter().map(|&x| x as i64).collect::<Vec<_>>(),
                &d.iter().map(|&x| x as i64 - n as i64).collect::<Vec<_>>(),
            )
            .unwrap();
        // Reference: the result's dim `p` is source dim `s[q]` if `p == d[q]`, else the next
        // source dim not moved, in order.
        let mut rest = (0..n).filter(|x| !s.contains(x));
        let order: Vec<usize> = (0..n)
            .map(|p| {
                d.iter()
                    .position(|&x| x == p)
                    .map_or_else(|| rest.next().unwrap(), |q| s[q])
            })
            .collect();
        check_view(&v, &src, |i| {
            let mut j = vec![0; n];
            for (p, &o) in order.iter().enumerate() {
                j[o] = i[p];
            }
            j
        });
    }
}

#[test]
fn expand_and_broadcast_to() {
    let mut rng = Rng(5);
    for _ in 0..CASES {
        let src = random_layout(&mut rng);
        let lead = rng.below(3);
        let mut sizes: Vec<i64> = (0..lead).map(|_| rng.range(0, 3)).collect();
        for &s in src.shape() {
            sizes.push(match (s, rng.below(3)) {
                (_, 0) => -1,
                (1, _) => rng.range(0, 3),
                (s, _) => s as i64,
            });
        }
        let v = src.expand(&sizes).unwrap();
        let target: Vec<usize> = sizes
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                if s == -1 {
                    src.shape()[i - lead]
                } else {
                    s as usize
                }
            })
            .collect();
        assert_eq!(v.shape(), target.as_slice());
        check_view(&v, &src, |i| {
            i[lead..]
                .iter()
                .zip(src.shape())
                .map(|(&x, &s)| if s == 1 { 0 } else { x })
                .collect()
        });
        assert_eq!(src.broadcast_to(&target).unwrap(), v);
    }
}

#[test]
fn squeeze_unsqueeze_flatten_unflatten() {
    let mut rng = Rng(6);
    for _ in 0..CASES {
        let src = random_layout(&mut rng);
        let n = src.ndim();
        // squeeze keeps element order, removes only listed size-1 dims.
        let listed: Option<Vec<i64>> = rng
            .coin()
            .then(|| (0..n).filter(|_| rng.coin()).map(|d| d as i64).collect());
        let v = src.squeeze(listed.as_deref()).unwrap();
        let expected: Vec<usize> = (0..n)
            .filter(|&d| {
                src.shape()[d] != 1 || listed.as_ref().is_some_and(|l| !l.contains(&(d as i64)))
            })
            .map(|d| src.shape()[d])
            .collect();
        assert_eq!(v.shape(), expected.as_slice());
        check_same_order(&v, &src);

        let d = rng.range(-(n as i64) - 1, n as i64);
        let v = src.unsqueeze(d).unwrap();
        assert_eq!(v.ndim(), n + 1);
        assert_eq!(v.shape()[(d + n as i64 + 1) as usize % (n + 1)], 1);
        check_same_order(&v, &src);

        let (a, b) = if n == 0 {
            (0, 0)
        } else {
            (rng.below(n), rng.below(n))
        };
        let target = src.flatten_shape(a.min(b) as i64, a.max(b) as i64).unwrap();
        assert_eq!(target.iter().product::<usize>(), src.numel());
        assert_eq!(
            target.len(),
            if n == 0 { 1 } else { n - (a.max(b) - a.min(b)) }
        );

        if n == 0 {
            continue;
        }
        let d = rng.below(n);
        let mut parts = random_shape_with_numel(&mut rng, src.shape()[d]);
        if parts.is_empty() {
            parts.push(1);
        }
        let mut sizes: Vec<i64> = parts.iter().map(|&s| s as i64).collect();
        if src.shape()[d] > 0 && rng.coin() {
            let k = rng.below(sizes.len());
            sizes[k] = -1;
        }
        let v = src.unflatten(d as i64, &sizes).unwrap();
        assert_eq!(&v.shape()[d..d + parts.len()], parts.as_slice());
        check_same_order(&v, &src);
    }
}

#[test]
fn narrow_select_slice_unfold_diagonal() {
    let mut rng = Rng(7);
    for _ in 0..CASES {
        let src = random_layout(&mut rng);
        let n = src.ndim();
        if n == 0 {
            continue;
        }
        let d = rng.dim(n);
        let ud = (d + n as i64) as usize % n;
        let size = src.shape()[ud] as i64;

        let begin = rng.range(0, size);
        let start = if rng.coin() && begin < size {
            begin - size
        } else {
            begin
        };
        let len = rng.range(0, size - begin);
        let v = src.narrow(d, start, len).unwrap();
        check_view(&v, &src, |i| {
            let mut j = i.to_vec();
            j[ud] += begin as usize;
            j
        });

        if size > 0 {
            let index = rng.range(-size, size - 1);
            let v = src.select(d, index).unwrap();
            let k = ((index + size) % size) as usize;
            check_view(&v, &src, |i| {
                let mut j = i.to_vec();
                j.insert(ud, k);
                j
            });
        }

        let bound = |rng: &mut Rng| rng.coin().then(|| rng.range(-6, 6));
        let (start, stop, step) = (bound(&mut rng), bound(&mut rng), rng.range(1, 3));
        let v = src.slice(d, start, stop, step).unwrap();
        // Python's rule, spelled as a filter: indices in [start, stop) hit by the step.
        let norm = |x: Option<i64>, default: i64| {
            x.map_or(default, |x| {
                if x < 0 {
                    (x + size).max(0)
                } else {
                    x.min(size)
                }
            })
        };
        let (s0, s1) = (norm(start, 0), norm(stop, size));
        let picked: Vec<usize> = (0..size)
            .filter(|&x| x >= s0 && x < s1 && (x - s0) % step == 0)
            .map(|x| x as usize)
            .collect();
        assert_eq!(v.shape()[ud], picked.len());
        check_view(&v, &src, |i| {
            let mut j = i.to_vec();
            j[ud] = picked[i[ud]];
            j
        });

        let (w, step) = (rng.range(0, size), rng.range(1, 3));
        let v = src.unfold(d, w, step).unwrap();
        assert_eq!(v.shape()[n], w as usize);
        check_view(&v, &src, |i| {
            let mut j = i[..n].to_vec();
            j[ud] = i[ud] * step as usize + i[n];
            j
        });

        if n >= 2 {
            let (d1, d2) = loop {
                let (a, b) = (rng.below(n), rng.below(n));
                if a != b {
                    break (a, b);
                }
            };
            let off = rng.range(-4, 4);
            let v = src.diagonal(off, d1 as i64, d2 as i64).unwrap();
            let (r0, c0) = if off >= 0 {
                (0, off as usize)
            } else {
                (off.unsigned_abs() as usize, 0)
            };
            let expected_len = (0..)
                .take_while(|k| r0 + k < src.shape()[d1] && c0 + k < src.shape()[d2])
                .count();
            assert_eq!(v.shape()[n - 2], expected_len);
            let others: Vec<usize> = (0..n).filter(|&x| x != d1 && x != d2).collect();
            check_view(&v, &src, |i| {
                let mut j = vec![0; n];
                for (k, &o) in others.iter().enumerate() {
                    j[o] = i[k];
                }
                j[d1] = r0 + i[n - 2];
                j[d2] = c0 + i[n - 2];
                j
            });
        }
    }
}

#[test]
fn split_chunk_unbind_cover_the_dim() {
    let mut rng = Rng(8);
    for _ in 0..CASES {
        let src = random_layout(&mut rng);
        let n = src.ndim();
        if n == 0 {
            continue;
        }
        let d = rng.dim(n);
        let ud = (d + n as i64) as usize % n;
        let size = src.shape()[ud];
        // Each piece must be the source narrowed at the running start.
        let check_pieces = |pieces: &[Layout]| {
            let mut start = 0;
            for p in pieces {
                check_view(p, &src, |i| {
                    let mut j = i.to_vec();
                    j[ud] += start;
                    j
                });
                start += p.shape()[ud];
            }
            assert_eq!(start, size);
        };

        let split_size = if size == 0 {
            rng.below(3)
        } else {
            rng.range(1, size as i64 + 1) as usize
        };
        let pieces = src.split(d, split_size).unwrap();
        assert_eq!(
            pieces.len(),
            if split_size == 0 {
                1
            } else {
                size.div_ceil(split_size).max(1)
            }
        );
        assert!(pieces[..pieces.len() - 1]
            .iter()
            .all(|p| p.shape()[ud] == split_size));
        check_pieces(&pieces);

        let mut sizes = Vec::new();
        let mut left = size;
        while left > 0 || sizes.is_empty() || rng.below(4) == 0 {
            let s = rng.range(0, left as i64) as usize;
            sizes.push(s);
            left -= s;
        }
        let pieces = src.split_with_sizes(d, &sizes).unwrap();
        assert_eq!(
            pieces.iter().map(|p| p.shape()[ud]).collect::<Vec<_>>(),
            sizes
        );
        check_pieces(&pieces);

        let chunks = rng.range(1, 6) as usize;
        let pieces = src.chunk(chunks, d).unwrap();
        if size == 0 {
            assert_eq!(pieces.len(), chunks);
        } else {
            assert_eq!(pieces.len(), size.div_ceil(size.div_ceil(chunks)));
        }
        check_pieces(&pieces);

        let pieces = src.unbind(d).unwrap();
        assert_eq!(pieces.len(), size);
        for (k, p) in pieces.iter().enumerate() {
            check_view(p, &src, |i| {
                let mut j = i.to_vec();
                j.insert(ud, k);
                j
            });
        }
    }
}

// ---------------------------------------------------------------- torch's results

#[test]
fn geometry_matches_torch() {
    let c = Layout::contiguous;
    // expand: new leading dims take the stride torch computes.
    assert_eq!(
        geom(&c(&[3]).expand(&[1, 1, 3]).unwrap()),
        (vec![1, 1, 3], vec![3, 3, 1], 0)
    );
    assert_eq!(
        geom(&c(&[1]).expand(&[3, -1]).unwrap()),
        (vec![3, 1], vec![0, 1], 0)
    );
    assert_eq!(
        geom(&c(&[2, 1]).expand(&[0, 2, -1]).unwrap()),
        (vec![0, 2, 1], vec![0, 1, 1], 0)
    );
    assert_eq!(
        geom(&c(&[]).expand(&[2, 3]).unwrap()),
        (vec![2, 3], vec![0, 0], 0)
    );
    assert_eq!(geom(&c(&[]).expand(&[1]).unwrap()), (vec![1], vec![0], 0));
    // unsqueeze.
    let sliced = c(&[2, 6]).slice(1, None, None, 2).unwrap();
    assert_eq!(
        geom(&sliced.unsqueeze(2).unwrap()),
        (vec![2, 3, 1], vec![6, 2, 1], 0)
    );
    assert_eq!(
        geom(&sliced.unsqueeze(1).unwrap()),
        (vec![2, 1, 3], vec![6, 6, 2], 0)
    );
    assert_eq!(
        geom(&c(&[3, 4]).unsqueeze(0).unwrap()),
        (vec![1, 3, 4], vec![12, 4, 1], 0)
    );
    assert_eq!(geom(&c(&[]).unsqueeze(-1).unwrap()), (vec![1], vec![1], 0));
    // unflatten.
    assert_eq!(
        geom(&sliced.unflatten(1, &[3, 1]).unwrap()),
        (vec![2, 3, 1], vec![6, 2, 2], 0)
    );
    assert_eq!(
        geom(&sliced.unflatten(1, &[1, 3]).unwrap()),
        (vec![2, 1, 3], vec![6, 6, 2], 0)
    );
    assert_eq!(
        geom(&c(&[4, 6]).unflatten(1, &[-1, 2]).unwrap()),
        (vec![4, 3, 2], vec![6, 2, 1], 0)
    );
    assert_eq!(
        geom(&c(&[4, 0]).unflatten(1, &[2, -1]).unwrap()),
        (vec![4, 2, 0], vec![2, 1, 1], 0)
    );
    // flatten.
    assert_eq!(c(&[]).flatten_shape(0, -1).unwrap().as_slice(), &[1]);
    assert_eq!(c(&[2, 0, 3]).flatten_shape(0, -1).unwrap().as_slice(), &[0]);
    assert_eq!(
        c(&[2, 3, 4]).flatten_shape(1, 2).unwrap().as_slice(),
        &[2, 12]
    );
    assert_eq!(c(&[3, 4]).flatten_shape(1, 1).unwrap().as_slice(), &[3, 4]);
    // narrow / slice offsets, including out-of-range Python bounds.
    assert_eq!(
        geom(&c(&[6]).narrow(0, -2, 2).unwrap()),
        (vec![2], vec![1], 4)
    );
    assert_eq!(
        geom(&c(&[6]).narrow(0, 6, 0).unwrap()),
        (vec![0], vec![1], 6)
    );
    assert_eq!(
        geom(&c(&[6]).slice(0, Some(10), None, 1).unwrap()),
        (vec![0], vec![1], 6)
    );
    assert_eq!(
        geom(&c(&[6]).slice(0, Some(-10), Some(-20), 1).unwrap()),
        (vec![0], vec![1], 0)
    );
    assert_eq!(
        geom(&c(&[6]).slice(0, Some(4), Some(2), 1).unwrap()),
        (vec![0], vec![1], 4)
    );
    assert_eq!(
        geom(&c(&[6]).slice(0, Some(1), Some(6), 4).unwrap()),
        (vec![2], vec![4], 1)
    );
    assert_eq!(
        geom(&c(&[2, 3]).select(-1, -1).unwrap()),
        (vec![2], vec![3], 2)
    );
    // unfold.
    assert_eq!(
        geom(&c(&[6]).unfold(0, 2, 2).unwrap()),
        (vec![3, 2], vec![2, 1], 0)
    );
    assert_eq!(
        geom(&c(&[6]).unfold(0, 0, 2).unwrap()),
        (vec![4, 0], vec![2, 1], 0)
    );
    assert_eq!(
        geom(&c(&[0]).unfold(0, 0, 2).unwrap()),
        (vec![1, 0], vec![2, 1], 0)
    );
    assert_eq!(
        geom(&c(&[3, 4]).unfold(-1, 2, 1).unwrap()),
        (vec![3, 3, 2], vec![4, 1, 1], 0)
    );
    assert_eq!(
        geom(&c(&[]).unfold(-1, 1, 1).unwrap()),
        (vec![1], vec![1], 0)
    );
    // diagonal.
    assert_eq!(
        geom(&c(&[3, 4]).diagonal(1, 0, 1).unwrap()),
        (vec![3], vec![5], 1)
    );
    assert_eq!(
        geom(&c(&[3, 4]).diagonal(-1, 0, 1).unwrap()),
        (vec![2], vec![5], 4)
    );
    assert_eq!(
        geom(&c(&[3, 4]).diagonal(3, 0, 1).unwrap()),
        (vec![1], vec![5], 3)
    );
    assert_eq!(
        geom(&c(&[3, 4]).diagonal(4, 0, 1).unwrap()),
        (vec![0], vec![5], 0)
    );
    assert_eq!(
        geom(&c(&[3, 4]).diagonal(-3, 0, 1).unwrap()),
        (vec![0], vec![5], 0)
    );
    assert_eq!(
        geom(&c(&[2, 3, 4]).diagonal(0, 2, 0).unwrap()),
        (vec![3, 2], vec![4, 13], 0)
    );
    assert_eq!(
        geom(&c(&[2, 3, 4]).diagonal(1, -1, 0).unwrap()),
        (vec![3, 1], vec![4, 13], 12)
    );
    // movedim / permute / t.
    assert_eq!(
        geom(&c(&[2, 3, 4, 5]).movedim(&[0, 1], &[2, 3]).unwrap()).0,
        vec![4, 5, 2, 3]
    );
    assert_eq!(
        geom(&c(&[2, 3, 4, 5]).movedim(&[0, -1], &[-1, 0]).unwrap()),
        (vec![5, 3, 4, 2], vec![1, 20, 5, 60], 0)
    );
    assert_eq!(
        geom(&c(&[2, 3, 4, 5]).movedim(&[1], &[3]).unwrap()),
        (vec![2, 4, 5, 3], vec![60, 5, 1, 20], 0)
    );
    assert_eq!(
        geom(&c(&[2, 3]).permute(&[-1, 0]).unwrap()),
        (vec![3, 2], vec![1, 3], 0)
    );
    assert_eq!(c(&[3]).t().unwrap(), c(&[3]));
    assert_eq!(c(&[]).t().unwrap(), c(&[]));
    // squeeze.
    assert_eq!(
        geom(
            &c(&[1, 4])
                .slice(1, Some(2), None, 1)
                .unwrap()
                .squeeze(None)
                .unwrap()
        ),
        (vec![2], vec![1], 2)
    );
    assert_eq!(
        c(&[1, 3, 1]).squeeze(Some(&[0, 1])).unwrap().shape(),
        &[3, 1]
    );
    assert_eq!(c(&[]).squeeze(Some(&[-1])).unwrap(), c(&[]));
    // split / chunk.
    let offsets = |v: Vec<Layout>| v.iter().map(geom).collect::<Vec<_>>();
    assert_eq!(
        offsets(c(&[3, 5]).chunk(3, 1).unwrap()),
        vec![
            (vec![3, 2], vec![5, 1], 0),
            (vec![3, 2], vec![5, 1], 2),
            (vec![3, 1], vec![5, 1], 4)
        ]
    );
    assert_eq!(offsets(c(&[3, 6]).chunk(4, 1).unwrap()).len(), 3);
    assert_eq!(offsets(c(&[3, 6]).chunk(10, 1).unwrap()).len(), 6);
    assert_eq!(
        offsets(c(&[3, 0]).chunk(3, 1).unwrap()),
        vec![(vec![3, 0], vec![1, 1], 0); 3]
    );
    assert_eq!(
        offsets(c(&[3, 6]).split(-1, 10).unwrap()),
        vec![(vec![3, 6], vec![6, 1], 0)]
    );
    assert_eq!(
        offsets(c(&[3, 0]).split(1, 0).unwrap()),
        vec![(vec![3, 0], vec![1, 1], 0)]
    );
    assert_eq!(
        offsets(c(&[0]).split(0, 2).unwrap()),
        vec![(vec![0], vec![1], 0)]
    );
    // view of 0-dim and of empty tensors.
    assert_eq!(geom(&c(&[1]).view(&[]).unwrap()), (vec![], vec![], 0));
    assert_eq!(geom(&c(&[]).view(&[-1]).unwrap()), (vec![1], vec![1], 0));
    assert_eq!(
        geom(&c(&[2, 0, 3]).view(&[-1]).unwrap()),
        (vec![0], vec![1], 0)
    );
    assert_eq!(
        geom(&c(&[0]).view(&[2, -1]).unwrap()),
        (vec![2, 0], vec![1, 1], 0)
    );
    // as_strided.
    assert_eq!(
        geom(&c(&[3, 4]).as_strided(&[2, 2], &[1, 2], 1).unwrap()),
        (vec![2, 2], vec![1, 2], 1)
    );
}

// ---------------------------------------------------------------- torch's errors

#[test]
fn errors_match_torch() {
    let c = Layout::contiguous;
    let view_msg = "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";
    runtime(c(&[3, 4]).t().unwrap().view(&[12]), view_msg);
    runtime(
        c(&[2, 3, 4]).narrow(2, 0, 2).unwrap().view(&[2, 6]),
        view_msg,
    );
    runtime(
        c(&[6]).view(&[2, 5]),
        "shape '[2, 5]' is invalid for input of size 6",
    );
    runtime(
        c(&[3]).view(&[-1, -1]),
        "only one dimension can be inferred",
    );
    runtime(
        c(&[0]).view(&[0, -1]),
        "cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension size -1 can be any value and is ambiguous",
    );

    runtime(
        c(&[3, 4]).permute(&[0, 1, 2]),
        "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 3",
    );
    runtime(
        c(&[3, 4]).permute(&[0, 0]),
        "permute(): duplicate dims are not allowed.",
    );
    dim_err(c(&[3, 4]).permute(&[0, 2]), 2, 2);
    dim_err(c(&[3, 4]).transpose(0, 2), 2, 2);
    dim_err(c(&[]).transpose(0, 1), 1, 0);
    runtime(
        c(&[2, 3, 4]).t(),
        "t() expects a tensor with <= 2 dimensions, but self is 3D",
    );

    runtime(
        c(&[3]).expand(&[2, 4]),
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
    );
    runtime(
        c(&[3]).broadcast_to(&[2, 4]),
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
    );
    runtime(
        c(&[3]).expand(&[]),
        "expand(torch.Tensor{[3]}, size=[]): the number of sizes provided (0) must be greater or equal to the number of dimensions in the tensor (1)",
    );
    runtime(
        c(&[3]).expand(&[-1, 3]),
        "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0",
    );
    runtime(
        c(&[3]).expand(&[2, -2]),
        "The expanded size of the tensor (-2) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, -2].  Tensor sizes: [3]",
    );
    runtime(
        c(&[1]).expand(&[-2]),
        "numel: integer multiplication overflow",
    );
    runtime(
        c(&[]).expand(&[-1]),
        "numel: integer multiplication overflow",
    );
    runtime(
        c(&[1]).expand(&[1 << 62, 4]),
        "numel: integer multiplication overflow",
    );

    runtime(
        c(&[3, 4]).squeeze(Some(&[0, 0])),
        "dim 0 appears multiple times in the list of dims",
    );
    dim_err(c(&[3]).squeeze(Some(&[5])), 5, 1);
    dim_err(c(&[]).squeeze(Some(&[1])), 1, 0);
    dim_err(c(&[3]).unsqueeze(2), 2, 2);
    dim_err(c(&[]).unsqueeze(1), 1, 1);

    runtime(
        c(&[4, 5]).unflatten(1, &[2, 2]),
        "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 (5) in the input tensor",
    );
    runtime(
        c(&[4, 5]).unflatten(-1, &[2, 2]),
        "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 (5) in the input tensor",
    );
    runtime(
        c(&[3, 4]).unflatten(0, &[-1, 0]),
        "unflatten: Provided sizes [-1, 0] don't multiply up to the size of dim 0 (3) in the input tensor",
    );
    runtime(
        c(&[4, 5]).unflatten(1, &[-1, -1]),
        "unflatten got an unexpected error:\nonly one dimension can be inferred",
    );
    runtime(
        c(&[3, 4]).unflatten(0, &[3, -2]),
        "unflatten got an unexpected error:\ninvalid shape dimension -2 at index 1 of shape [3, -2]",
    );
    runtime(
        c(&[4, 0]).unflatten(1, &[-1, 0]),
        "unflatten got an unexpected error:\ncannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension size -1 can be any value and is ambiguous",
    );
    runtime(
        c(&[]).unflatten(0, &[1]),
        "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions",
    );
    runtime(
        c(&[4, 5]).unflatten(1, &[]),
        "unflatten: sizes must be non-empty",
    );
    runtime(
        c(&[3, 4]).flatten_shape(1, 0),
        "flatten() has invalid args: start_dim cannot come after end_dim",
    );
    dim_err(c(&[]).flatten_shape(0, 1), 1, 0);

    runtime(
        c(&[6]).narrow(0, 5, 2),
        "start (5) + length (2) exceeds dimension size (6).",
    );
    index_err(
        c(&[6]).narrow(0, -7, 2),
        "start out of range (expected to be in range of [-6, 6], but got -7)",
    );
    index_err(
        c(&[6]).narrow(0, 7, 0),
        "start out of range (expected to be in range of [-6, 6], but got 7)",
    );
    runtime(
        c(&[6]).narrow(0, 2, -1),
        "narrow(): length must be non-negative.",
    );
    runtime(
        c(&[6]).narrow(1, 1, -2),
        "narrow(): length must be non-negative.",
    );
    dim_err(c(&[6]).narrow(1, 1, 2), 1, 1);
    runtime(
        c(&[]).narrow(0, 0, 0),
        "narrow() cannot be applied to a 0-dim tensor.",
    );

    index_err(
        c(&[3, 4]).select(0, 5),
        "select(): index 5 out of range for tensor of size [3, 4] at dimension 0",
    );
    index_err(
        c(&[3, 4]).select(0, -4),
        "select(): index -4 out of range for tensor of size [3, 4] at dimension 0",
    );
    index_err(
        c(&[2, 3]).select(-1, 3),
        "select(): index 3 out of range for tensor of size [2, 3] at dimension 1",
    );
    index_err(
        c(&[]).select(0, 0),
        "select() cannot be applied to a 0-dim tensor.",
    );
    dim_err(c(&[2, 3]).select(2, 0), 2, 2);

    assert_eq!(
        err(c(&[3, 4]).slice(1, None, None, -1)),
        Error::Value("step must be greater than zero".into())
    );
    assert_eq!(
        err(c(&[3, 4]).slice(1, None, None, 0)),
        Error::Value("slice step cannot be zero".into())
    );
    index_err(
        c(&[]).slice(0, None, None, 1),
        "slice() cannot be applied to a 0-dim tensor.",
    );

    runtime(
        c(&[3, 4]).as_strided(&[2], &[1, 1], 0),
        "mismatch in length of strides and shape",
    );

    runtime(
        c(&[3]).unfold(0, 4, 1),
        "maximum size for tensor at dimension 0 is 3 but size is 4",
    );
    runtime(
        c(&[]).unfold(0, 2, 1),
        "maximum size for tensor at dimension 0 is 1 but size is 2",
    );
    runtime(c(&[3]).unfold(0, 2, 0), "step is 0 but must be > 0");
    runtime(c(&[6]).unfold(0, -1, 0), "size is -1 but must be >= 0");
    dim_err(c(&[3, 4]).unfold(2, 2, 1), 2, 2);

    runtime(
        c(&[6]).split_with_sizes(0, &[2, 2]),
        "split_with_sizes expects split_sizes to sum exactly to 6 (input tensor's size at dimension 0), but got split_sizes=[2, 2]",
    );
    runtime(
        c(&[3, 6]).split_with_sizes(-1, &[4, 4]),
        "split_with_sizes expects split_sizes to sum exactly to 6 (input tensor's size at dimension -1), but got split_sizes=[4, 4]",
    );
    runtime(
        c(&[6]).split(0, 0),
        "split_size can only be 0 if dimension size is 0, but got dimension size of 6",
    );
    runtime(
        c(&[]).split(0, 2),
        "split expects at least a 1-dimensional tensor",
    );
    runtime(
        c(&[]).split_with_sizes(0, &[1]),
        "split expects at least a 1-dimensional tensor",
    );
    dim_err(c(&[3, 6]).split(5, 2), 5, 2);
    runtime(
        c(&[6]).chunk(0, 0),
        "chunk expects `chunks` to be greater than 0, got: 0",
    );
    runtime(
        c(&[]).chunk(1, 0),
        "chunk expects at least a 1-dimensional tensor",
    );
    dim_err(c(&[3, 6]).chunk(2, 2), 2, 2);
    index_err(
        c(&[]).unbind(0),
        "Dimension specified as 0 but tensor has no dimensions",
    );
    index_err(
        c(&[]).unbind(-1),
        "Dimension specified as 0 but tensor has no dimensions",
    );
    index_err(
        c(&[]).size(-1),
        "Dimension specified as -1 but tensor has no dimensions",
    );
    // the dim is checked before the sizes, as in torch
    dim_err(c(&[2]).unflatten(5, &[]), 5, 1);
    runtime(
        c(&[]).unflatten(-1, &[1]),
        "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions",
    );
    dim_err(c(&[]).unbind(1), 1, 0);
    dim_err(c(&[3, 6]).unbind(2), 2, 2);

    runtime(
        c(&[2, 3, 4]).movedim(&[0, 0], &[1, 2]),
        "movedim: repeated dim in `source` ([0, 0])",
    );
    runtime(
        c(&[2, 3, 4]).movedim(&[0, 1], &[1, 1]),
        "movedim: repeated dim in `destination` ([1, 1])",
    );
    runtime(
        c(&[]).movedim(&[0, -1], &[0, 0]),
        "movedim: repeated dim in `source` ([0, -1])",
    );
    runtime(
        c(&[2, 3, 4]).movedim(&[0, 1], &[1]),
        "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number of dims as destination ([1] dims)",
    );
    dim_err(c(&[3, 4]).movedim(&[0, 5], &[1, 0]), 5, 2);
    assert_eq!(c(&[]).movedim(&[0], &[0]).unwrap(), c(&[]));

    runtime(
        c(&[3, 4]).diagonal(0, 0, 0),
        "diagonal dimensions cannot be identical 0, 0",
    );
    runtime(
        c(&[3, 4]).diagonal(0, -1, 1),
        "diagonal dimensions cannot be identical -1, 1",
    );
    runtime(
        c(&[]).diagonal(0, 0, -1),
        "diagonal dimensions cannot be identical 0, -1",
    );
    dim_err(c(&[3]).diagonal(0, 0, 1), 1, 1);

    index_err(
        c(&[]).size(0),
        "Dimension specified as 0 but tensor has no dimensions",
    );
    assert_eq!(c(&[2, 3]).size(-1).unwrap(), 3);
    assert_eq!(c(&[2, 3]).stride(0).unwrap(), 3);
}

#[test]
fn dims_fit_inline() {
    // The point of `Dims`: typical shapes do not allocate.
    let d: Dims = [1usize, 2, 3, 4, 5, 6].into_iter().collect();
    assert!(!d.spilled());
}

/// torch's preserve_format strides (its `infer_dense_strides` example and the dense cases).
#[test]
fn preserved_strides_follow_torch() {
    let l = Layout::new([6, 5, 4, 3, 2].into_iter().collect(), [6, 0, 120, 0, 1].into_iter().collect(), 0);
    assert_eq!(l.preserved_strides().as_slice(), &[6, 36, 180, 2, 1]);
    let t = Layout::new([5, 2].into_iter().collect(), [1, 5].into_iter().collect(), 0);
    assert!(t.is_non_overlapping_and_dense());
    assert_eq!(t.preserved_strides().as_slice(), &[1, 5]);
    let gaps = Layout::new([3, 2].into_iter().collect(), [2, 5].into_iter().collect(), 0);
    assert!(!gaps.is_non_overlapping_and_dense());
    assert_eq!(gaps.preserved_strides().as_slice(), &[1, 3]);
    let expanded = Layout::new([2, 3].into_iter().collect(), [0, 1].into_iter().collect(), 0);
    assert_eq!(expanded.preserved_strides().as_slice(), &[3, 1]);
}

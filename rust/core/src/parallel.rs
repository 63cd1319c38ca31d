//! Intra-op parallelism: split a range of work into chunks whose boundaries depend only on the
//! size of the work and the grain, never on the thread count, so a reduction that combines
//! per-chunk partials in chunk order gives bit-identical results on 1 thread or many.
//!
//! Kernels call [`for_each_chunk`] (side effects per chunk) or [`map_chunks`] (one value per
//! chunk, returned in chunk order). Below one grain of work everything runs inline on the calling
//! thread, so small ops pay nothing. The pool is a dedicated rayon pool sized by
//! [`set_num_threads`] (default: the machine's cores, like torch).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

/// Elements per chunk for memory-bound elementwise work (torch's grain size is 32768).
pub const GRAIN: usize = 32768;

static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);
static POOL: RwLock<Option<Arc<rayon::ThreadPool>>> = RwLock::new(None);

/// The number of threads intra-op work uses (`torch.get_num_threads`).
pub fn num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => default_num_threads(),
        n => n,
    }
}

/// The machine's cores, asked once: `available_parallelism` reads cgroup files on Linux and
/// costs tens of microseconds per call, more than a small kernel takes.
fn default_num_threads() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Set the number of intra-op threads (`torch.set_num_threads`); at least 1.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if NUM_THREADS.swap(n, Ordering::Relaxed) != n {
        *POOL.write() = None; // rebuilt lazily at the new size
    }
}

fn pool() -> Option<Arc<rayon::ThreadPool>> {
    if let Some(p) = POOL.read().as_ref() {
        return Some(p.clone());
    }
    let mut slot = POOL.write();
    if slot.is_none() {
        let p = rayon::ThreadPoolBuilder::new()
            .num_threads(num_threads())
            .thread_name(|i| format!("rstorch-intraop-{i}"))
            .build()
            .ok()?;
        *slot = Some(Arc::new(p));
    }
    slot.clone()
}

/// The chunks `[0, n)` splits into at `grain` elements each (the last may be shorter).
pub fn chunks(n: usize, grain: usize) -> impl Iterator<Item = Range<usize>> + Clone {
    let grain = grain.max(1);
    (0..n.div_ceil(grain)).map(move |c| c * grain..((c + 1) * grain).min(n))
}

/// Call `f` on every chunk of `[0, n)`, in parallel when there is more than one chunk and more
/// than one thread. `f` must only touch what its chunk owns.
pub fn for_each_chunk(n: usize, grain: usize, f: impl Fn(Range<usize>) + Sync) {
    let grain = grain.max(1);
    if n <= grain || num_threads() == 1 {
        if n > 0 {
            f(0..n);
        }
        return;
    }
    match pool() {
        Some(p) => p.scope(|s| {
            let f = &f;
            let mut it = chunks(n, grain);
            let mine = it.next().unwrap();
            for c in it {
                s.spawn(move |_| f(c));
            }
            f(mine); // the calling thread takes a share
        }),
        None => chunks(n, grain).for_each(f),
    }
}

/// `f` of every chunk of `[0, n)`, in chunk order (so combining them is deterministic).
pub fn map_chunks<T: Send>(n: usize, grain: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let ranges: Vec<Range<usize>> = chunks(n, grain).collect();
    let mut out: Vec<Option<T>> = (0..ranges.len()).map(|_| None).collect();
    {
        let slots = SyncPtr(out.as_mut_ptr());
        let ranges = &ranges;
        for_each_chunk(ranges.len(), 1, |cs| {
            for c in cs {
                // SAFETY: chunk c writes only slot c.
                unsafe { *slots.get().add(c) = Some(f(ranges[c].clone())) };
            }
        });
    }
    out.into_iter().map(|v| v.expect("every chunk ran")).collect()
}

/// A raw pointer kernels may share across the chunks of one op, each chunk writing a disjoint
/// part of the buffer behind it.
pub struct SyncPtr<T>(pub *mut T);

impl<T> Clone for SyncPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SyncPtr<T> {}

impl<T> SyncPtr<T> {
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}

// SAFETY: used only for buffers whose chunks are written by one task each (see call sites).
unsafe impl<T> Send for SyncPtr<T> {}
unsafe impl<T> Sync for SyncPtr<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_in_order() {
        let c: Vec<_> = chunks(10, 4).collect();
        assert_eq!(c, vec![0..4, 4..8, 8..10]);
        assert_eq!(chunks(0, 4).count(), 0);
    }

    #[test]
    fn map_chunks_is_ordered_whatever_the_threads() {
        for threads in [1, 2, 3] {
            set_num_threads(threads);
            let v = map_chunks(1000, 7, |r| r.start);
            assert_eq!(v, (0..1000).step_by(7).collect::<Vec<_>>());
        }
        set_num_threads(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    }

    #[test]
    fn for_each_chunk_visits_everything_once() {
        let hits: Vec<AtomicUsize> = (0..100_000).map(|_| AtomicUsize::new(0)).collect();
        for_each_chunk(hits.len(), 1000, |r| {
            for i in r {
                hits[i].fetch_add(1, Ordering::Relaxed);
            }
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
    }
}

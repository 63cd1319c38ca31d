//! Intra-op parallelism: split a range of work into chunks whose boundaries depend only on the
//! size of the work and the grain, never on the thread count, so a reduction that combines
//! per-chunk partials in chunk order gives bit-identical results on 1 thread or many.
//!
//! Kernels call [`for_each_chunk`] (side effects per chunk) or [`map_chunks`] (one value per
//! chunk, returned in chunk order). Below one grain of work everything runs inline on the calling
//! thread, so small ops pay nothing. The helpers are a small pool of our own, sized by
//! [`set_num_threads`] (default: the machine's cores, like torch): the calling thread takes a
//! share of the chunks itself, and the helpers spin briefly after each job before sleeping, so
//! back-to-back ops do not pay a thread wake-up each (on a VM waking a sleeping rayon worker
//! from Python cost ~20-25 us, more than a 64K-element add; OpenMP spins the same way).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

/// Elements per chunk for memory-bound elementwise work (torch's grain size is 32768).
pub const GRAIN: usize = 32768;

/// How long an idle helper spins waiting for the next job before it goes to sleep.
const SPIN: Duration = Duration::from_micros(100);

static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);
static POOL: RwLock<Option<Arc<Pool>>> = RwLock::new(None);

/// The number of threads intra-op work uses (`torch.get_num_threads`).
pub fn num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => {
            // available_parallelism reads cgroup files (tens of microseconds): ask once
            let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
            let _ = NUM_THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed);
            NUM_THREADS.load(Ordering::Relaxed)
        }
        n => n,
    }
}

/// Set the number of intra-op threads (`torch.set_num_threads`); at least 1.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if NUM_THREADS.swap(n, Ordering::Relaxed) != n {
        // the old pool's helpers exit once it is dropped; a new one is built lazily
        if let Some(old) = POOL.write().take() {
            old.shutdown();
        }
    }
}

/// A job as the helpers see it: a type-erased `&dyn Fn(chunk index)` borrowed from the caller's
/// stack, valid until the caller has seen every chunk finish.
#[derive(Clone, Copy)]
struct JobRef(*const (dyn Fn(usize) + Sync));
// SAFETY: the closure is Sync and outlives every use (see `Pool::run`).
unsafe impl Send for JobRef {}

struct State {
    epoch: u64,
    job: Option<JobRef>,
    chunks: usize,
    next: usize,
    sleepers: usize,
    exit: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Mirror of `state.epoch` that idle helpers spin on without taking the lock.
    epoch: AtomicU64,
    /// Chunks of the current job not yet finished.
    pending: AtomicUsize,
    panicked: AtomicBool,
    /// Mirror of `state.exit` for spinning helpers.
    exit: AtomicBool,
}

struct Pool {
    shared: Arc<Shared>,
    /// One job at a time; a caller that finds the pool busy (another Python thread, or a kernel
    /// nested inside a chunk) runs its chunks inline.
    busy: Mutex<()>,
}

impl Shared {
    /// Claim the next chunk of job `epoch`, if any is left.
    fn claim(&self, epoch: u64) -> Option<(JobRef, usize)> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.epoch != epoch || st.next >= st.chunks {
            return None;
        }
        let i = st.next;
        st.next += 1;
        st.job.map(|j| (j, i))
    }

    fn run_chunks(&self, epoch: u64) {
        while let Some((job, i)) = self.claim(epoch) {
            // SAFETY: the caller of `run` keeps the closure alive until `pending` reaches 0, and
            // this chunk has not been counted down yet.
            let f = unsafe { &*job.0 };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i))).is_err() {
                self.panicked.store(true, Ordering::Relaxed);
            }
            self.pending.fetch_sub(1, Ordering::Release);
        }
    }

    fn helper_loop(&self) {
        let mut seen = 0u64;
        loop {
            // spin a little for the next job, then sleep until one is posted
            let start = Instant::now();
            let mut spins = 0u32;
            while self.epoch.load(Ordering::Acquire) == seen && !self.exit.load(Ordering::Relaxed) {
                std::hint::spin_loop();
                spins += 1;
                if spins % 256 == 0 && start.elapsed() > SPIN {
                    let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    while st.epoch == seen && !st.exit {
                        st.sleepers += 1;
                        st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
                        st.sleepers -= 1;
                    }
                    break;
                }
            }
            let (epoch, exit) = {
                let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                (st.epoch, st.exit)
            };
            if exit {
                return;
            }
            seen = epoch;
            self.run_chunks(epoch);
        }
    }
}

impl Pool {
    fn new(helpers: usize) -> Option<Pool> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State { epoch: 0, job: None, chunks: 0, next: 0, sleepers: 0, exit: false }),
            wake: Condvar::new(),
            epoch: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            exit: AtomicBool::new(false),
        });
        for i in 0..helpers {
            let s = shared.clone();
            std::thread::Builder::new()
                .name(format!("rstorch-intraop-{i}"))
                .spawn(move || s.helper_loop())
                .ok()?;
        }
        Some(Pool { shared, busy: Mutex::new(()) })
    }

    fn shutdown(&self) {
        let mut st = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        // a job still running finishes on its caller's thread (claims do not look at `exit`)
        st.exit = true;
        self.shared.exit.store(true, Ordering::Relaxed);
        self.shared.wake.notify_all();
    }

    /// Run `f(0..chunks)` across the helpers and the calling thread; returns false (having run
    /// nothing) when the pool is busy with another job.
    fn run(&self, chunks: usize, f: &(dyn Fn(usize) + Sync)) -> bool {
        let Ok(_busy) = self.busy.try_lock() else { return false };
        let sh = &*self.shared;
        // SAFETY: only the lifetime is erased; we wait below until no helper can touch `f`.
        let job = JobRef(unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), &'static (dyn Fn(usize) + Sync)>(f) });
        sh.pending.store(chunks, Ordering::Relaxed);
        let epoch = {
            let mut st = sh.state.lock().unwrap_or_else(|e| e.into_inner());
            st.epoch += 1;
            st.job = Some(job);
            st.chunks = chunks;
            st.next = 0;
            sh.epoch.store(st.epoch, Ordering::Release);
            if st.sleepers > 0 {
                sh.wake.notify_all();
            }
            st.epoch
        };
        sh.run_chunks(epoch);
        let mut spins = 0u32;
        while sh.pending.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 1 << 16 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        sh.state.lock().unwrap_or_else(|e| e.into_inner()).job = None;
        if sh.panicked.swap(false, Ordering::Relaxed) {
            panic!("a parallel chunk panicked");
        }
        true
    }
}

fn pool() -> Option<Arc<Pool>> {
    if let Some(p) = POOL.read().as_ref() {
        return Some(p.clone());
    }
    let mut slot = POOL.write();
    if slot.is_none() {
        *slot = Some(Arc::new(Pool::new(num_threads() - 1)?));
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
    let chunks = n.div_ceil(grain);
    let run = |c: usize| f(c * grain..((c + 1) * grain).min(n));
    if !pool().is_some_and(|p| p.run(chunks, &run)) {
        (0..chunks).for_each(run);
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

//! Intra-op parallelism: split a range of work into chunks whose boundaries depend only on the
//! size of the work and the grain, never on the thread count, so a reduction that combines
//! per-chunk partials in chunk order gives bit-identical results on 1 thread or many.
//!
//! Kernels call [`for_each_chunk`] (side effects per chunk) or [`map_chunks`] (one value per
//! chunk, returned in chunk order). Below one grain of work everything runs inline on the calling
//! thread, so small ops pay nothing. Above it the calling thread takes chunks alongside the
//! pool's workers, which spin briefly between jobs before sleeping (see `SPIN`); waking a rayon
//! worker from Python costs ~20 us here, which made mid-size ops slower on two threads than one.
//! The thread count is [`set_num_threads`] (default: the machine's cores, like torch).

use std::ops::Range;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Elements per chunk for memory-bound elementwise work (torch's grain size is 32768).
pub(crate) const GRAIN: usize = 32768;

/// How long an idle worker spins for the next job before sleeping. Waking a sleeping thread
/// costs ~20 us on this kind of VM, more than a 64K-element op takes, so back-to-back ops must
/// find their workers awake.
const SPIN: Duration = Duration::from_micros(100);

static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// The number of threads intra-op work uses (`torch.get_num_threads`).
pub fn num_threads() -> usize {
    match NUM_THREADS.load(SeqCst) {
        0 => {
            // available_parallelism reads cgroup files (tens of microseconds): ask once
            let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
            let _ = NUM_THREADS.compare_exchange(0, n, SeqCst, SeqCst);
            NUM_THREADS.load(SeqCst)
        }
        n => n,
    }
}

/// Set the number of intra-op threads (`torch.set_num_threads`); at least 1.
pub fn set_num_threads(n: usize) {
    NUM_THREADS.store(n.max(1), SeqCst);
}

/// The chunks `[0, n)` splits into at `grain` elements each (the last may be shorter).
pub(crate) fn chunks(n: usize, grain: usize) -> impl Iterator<Item = Range<usize>> + Clone {
    let grain = grain.max(1);
    (0..n.div_ceil(grain)).map(move |c| c * grain..((c + 1) * grain).min(n))
}

/// Call `f` on every chunk of `[0, n)`, in parallel when there is more than one chunk and more
/// than one thread. `f` must only touch what its chunk owns.
pub(crate) fn for_each_chunk(n: usize, grain: usize, f: impl Fn(Range<usize>) + Sync) {
    let grain = grain.max(1);
    let threads = num_threads();
    if n <= grain || threads == 1 {
        if n > 0 {
            f(0..n);
        }
        return;
    }
    let count = n.div_ceil(grain);
    run_job(count, threads, &|c: usize| f(c * grain..((c + 1) * grain).min(n)));
}

// ---------------------------------------------------------------- the pool
//
// One job runs at a time: the caller publishes it (a pointer to a `Job` on its own stack) and
// bumps the epoch; awake workers see the new epoch, the caller and they claim chunk indices
// from the job's counter until none are left, and the caller returns once every chunk is done
// and no worker still holds the job. A job submitted while another runs (a nested parallel op,
// or a second Python thread with the GIL released) runs inline on its own thread instead.

struct Job<'a> {
    f: &'a (dyn Fn(usize) + Sync),
    count: usize,
    threads: usize,
    next: AtomicUsize,
    remaining: AtomicUsize,
    /// Workers still allowed to join (the thread count minus the caller).
    seats: AtomicUsize,
    panicked: AtomicBool,
}

impl Job<'_> {
    /// Claim and run chunks until none are left. Chunks are claimed in batches of a fraction of
    /// what is left (guided scheduling): a claim is an atomic on a cache line both threads
    /// write, ~100 ns when it bounces, so claiming a 4M-element sum's 122 chunks one by one cost
    /// ~15% of it; the shrinking batches still even out a thread that starts late.
    fn work(&self) {
        let threads = self.threads;
        loop {
            let mut start = self.next.load(SeqCst);
            let take = loop {
                if start >= self.count {
                    return;
                }
                let take = ((self.count - start) / (2 * threads)).max(1);
                match self.next.compare_exchange_weak(start, start + take, SeqCst, SeqCst) {
                    Ok(_) => break take,
                    Err(now) => start = now,
                }
            };
            for c in start..start + take {
                if catch_unwind(AssertUnwindSafe(|| (self.f)(c))).is_err() {
                    self.panicked.store(true, SeqCst);
                }
            }
            self.remaining.fetch_sub(take, SeqCst);
        }
    }
}

struct Pool {
    epoch: AtomicU64,
    job: AtomicPtr<Job<'static>>,
    /// Workers between taking the job pointer and letting go of it.
    busy: AtomicUsize,
    submit: Mutex<()>,
    sleep: Mutex<usize>, // number of sleeping workers
    wake: Condvar,
    workers: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool {
        epoch: AtomicU64::new(0),
        job: AtomicPtr::new(std::ptr::null_mut()),
        busy: AtomicUsize::new(0),
        submit: Mutex::new(()),
        sleep: Mutex::new(0),
        wake: Condvar::new(),
        workers: AtomicUsize::new(0),
    })
}

fn run_job(count: usize, threads: usize, f: &(dyn Fn(usize) + Sync)) {
    let p = pool();
    let Some(_guard) = p.submit.try_lock() else {
        (0..count).for_each(f);
        return;
    };
    while p.workers.load(SeqCst) < threads - 1 {
        let id = p.workers.fetch_add(1, SeqCst);
        let spawned = std::thread::Builder::new().name(format!("rstorch-intraop-{id}")).spawn(move || worker(pool()));
        if spawned.is_err() {
            p.workers.fetch_sub(1, SeqCst);
            break;
        }
    }
    let job = Job {
        f,
        count,
        threads,
        next: AtomicUsize::new(0),
        remaining: AtomicUsize::new(count),
        seats: AtomicUsize::new(threads - 1),
        panicked: AtomicBool::new(false),
    };
    // SAFETY (lifetime erasure): the pointer is withdrawn and every worker has let go of it
    // (busy == 0) before this function returns, so no worker uses `job` after it is dropped.
    p.job.store(&job as *const Job as *mut Job<'static>, SeqCst);
    p.epoch.fetch_add(1, SeqCst);
    if *p.sleep.lock() > 0 {
        p.wake.notify_all();
    }
    job.work();
    while job.remaining.load(SeqCst) > 0 {
        std::hint::spin_loop();
    }
    p.job.store(std::ptr::null_mut(), SeqCst);
    while p.busy.load(SeqCst) > 0 {
        std::hint::spin_loop();
    }
    if job.panicked.load(SeqCst) {
        resume_unwind(Box::new("a parallel chunk panicked"));
    }
}

fn worker(p: &'static Pool) {
    let mut seen = p.epoch.load(SeqCst);
    loop {
        // wait for a new epoch: spin a while, then sleep until woken
        let start = Instant::now();
        while p.epoch.load(SeqCst) == seen {
            if start.elapsed() > SPIN {
                let mut sleepers = p.sleep.lock();
                *sleepers += 1;
                while p.epoch.load(SeqCst) == seen {
                    p.wake.wait(&mut sleepers);
                }
                *sleepers -= 1;
                break;
            }
            std::hint::spin_loop();
        }
        seen = p.epoch.load(SeqCst);
        p.busy.fetch_add(1, SeqCst);
        let ptr = p.job.load(SeqCst);
        if !ptr.is_null() {
            // SAFETY: non-null while its caller waits for busy == 0 (see run_job).
            let job = unsafe { &*ptr };
            let seated = job.seats.fetch_update(SeqCst, SeqCst, |s| s.checked_sub(1)).is_ok();
            if seated {
                job.work();
            }
        }
        p.busy.fetch_sub(1, SeqCst);
    }
}

/// `f` of every chunk of `[0, n)`, in chunk order (so combining them is deterministic).
pub(crate) fn map_chunks<T: Send>(n: usize, grain: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    /// One cache line per result, so threads storing neighbouring results do not contend.
    #[repr(align(64))]
    struct Slot<T>(Option<T>);
    let ranges: Vec<Range<usize>> = chunks(n, grain).collect();
    let mut out: Vec<Slot<T>> = (0..ranges.len()).map(|_| Slot(None)).collect();
    {
        let slots = SyncPtr(out.as_mut_ptr());
        let ranges = &ranges;
        for_each_chunk(ranges.len(), 1, |cs| {
            for c in cs {
                // SAFETY: chunk c writes only slot c.
                unsafe { (*slots.get().add(c)).0 = Some(f(ranges[c].clone())) };
            }
        });
    }
    out.into_iter().map(|v| v.0.expect("every chunk ran")).collect()
}

/// A raw pointer kernels may share across the chunks of one op, each chunk writing a disjoint
/// part of the buffer behind it.
pub(crate) struct SyncPtr<T>(pub(crate) *mut T);

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
    use std::sync::atomic::Ordering;

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

    #[test]
    fn concurrent_and_nested_jobs_complete() {
        set_num_threads(3);
        let callers: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for rep in 0..200 {
                        let n = 10_000 + t * 1000 + rep;
                        let parts = map_chunks(n, 997, |r| {
                            // a nested parallel op runs inline
                            let inner = map_chunks(r.len(), 100, |q| q.len());
                            inner.iter().sum::<usize>()
                        });
                        assert_eq!(parts.iter().sum::<usize>(), n);
                    }
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
        set_num_threads(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    }
}

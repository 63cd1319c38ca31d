//! The selection and sorting algorithms of GNU libstdc++ (`std::partial_sort`,
//! `std::nth_element`, `std::sort`, from bits/stl_algo.h and bits/stl_heap.h) and torch's own
//! `quick_select_template`, transcribed step for step.
//!
//! torch's CPU topk and kthvalue run these with comparators that look at values only, so which
//! of several equal elements they return, and in what order, is whatever these exact steps
//! leave; running the same steps gives the same answer. Each function names its original.
//! `less` is the strict weak order the C++ comparator implements.

/// floor(log2(n)) for n > 0 (`std::__lg`).
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.leading_zeros()) as usize
}

/// `std::__adjust_heap` (with its `std::__push_heap`): move the hole at `hole` down to a leaf
/// along the larger children, then `value` up from there.
fn adjust_heap<E: Copy>(v: &mut [E], mut hole: usize, len: usize, value: E, less: &impl Fn(E, E) -> bool) {
    let top = hole;
    let mut second = hole;
    while second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if less(v[second], v[second - 1]) {
            second -= 1;
        }
        v[hole] = v[second];
        hole = second;
    }
    if len & 1 == 0 && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        v[hole] = v[second - 1];
        hole = second - 1;
    }
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(v[parent], value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

/// `std::__make_heap` on `v[..len]`.
fn make_heap<E: Copy>(v: &mut [E], len: usize, less: &impl Fn(E, E) -> bool) {
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        adjust_heap(v, parent, len, v[parent], less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

/// `std::__pop_heap`: the top of the heap `v[..len]` goes to `result`, `v[result]` into the heap.
fn pop_heap<E: Copy>(v: &mut [E], len: usize, result: usize, less: &impl Fn(E, E) -> bool) {
    let value = v[result];
    v[result] = v[0];
    adjust_heap(v, 0, len, value, less);
}

/// `std::__heap_select`: the `middle` least elements into a heap at the front.
fn heap_select<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(E, E) -> bool) {
    make_heap(v, middle, less);
    for i in middle..v.len() {
        if less(v[i], v[0]) {
            pop_heap(v, middle, i, less);
        }
    }
}

/// `std::__sort_heap` on `v[..len]`.
fn sort_heap<E: Copy>(v: &mut [E], mut len: usize, less: &impl Fn(E, E) -> bool) {
    while len > 1 {
        len -= 1;
        pop_heap(v, len, len, less);
    }
}

/// `std::partial_sort(v.begin(), v.begin() + middle, v.end())`.
pub fn partial_sort<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(E, E) -> bool) {
    heap_select(v, middle, less);
    sort_heap(v, middle, less);
}

/// `std::__move_median_to_first`.
fn move_median_to_first<E: Copy>(v: &mut [E], result: usize, a: usize, b: usize, c: usize, less: &impl Fn(E, E) -> bool) {
    let pick = if less(v[a], v[b]) {
        if less(v[b], v[c]) {
            b
        } else if less(v[a], v[c]) {
            c
        } else {
            a
        }
    } else if less(v[a], v[c]) {
        a
    } else if less(v[b], v[c]) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

/// `std::__unguarded_partition` of `v[first..last]` around `v[pivot]`.
fn unguarded_partition<E: Copy>(v: &mut [E], mut first: usize, mut last: usize, pivot: usize, less: &impl Fn(E, E) -> bool) -> usize {
    loop {
        while less(v[first], v[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(v[pivot], v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

/// `std::__unguarded_partition_pivot`: median of three as the pivot, then partition.
fn unguarded_partition_pivot<E: Copy>(v: &mut [E], less: &impl Fn(E, E) -> bool) -> usize {
    let (len, mid) = (v.len(), v.len() / 2);
    move_median_to_first(v, 0, 1, mid, len - 1, less);
    unguarded_partition(v, 1, len, 0, less)
}

/// `std::__unguarded_linear_insert`: move `v[last]` left to its place (an element not greater
/// than it is known to be somewhere to its left; the `last > 0` guard only matters for a
/// comparator that is not a strict weak order, where C++ would run off the front).
fn unguarded_linear_insert<E: Copy>(v: &mut [E], mut last: usize, less: &impl Fn(E, E) -> bool) {
    let val = v[last];
    while last > 0 && less(val, v[last - 1]) {
        v[last] = v[last - 1];
        last -= 1;
    }
    v[last] = val;
}

/// `std::__insertion_sort`.
fn insertion_sort<E: Copy>(v: &mut [E], less: &impl Fn(E, E) -> bool) {
    for i in 1..v.len() {
        if less(v[i], v[0]) {
            let val = v[i];
            v.copy_within(0..i, 1);
            v[0] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

/// `std::nth_element(v.begin(), v.begin() + nth, v.end())` (`std::__introselect`).
pub fn nth_element<E: Copy>(v: &mut [E], nth: usize, less: &impl Fn(E, E) -> bool) {
    if v.is_empty() || nth == v.len() {
        return;
    }
    let (mut first, mut last, mut depth) = (0, v.len(), 2 * lg(v.len()));
    while last - first > 3 {
        if depth == 0 {
            heap_select(&mut v[first..last], nth + 1 - first, less);
            v.swap(first, nth);
            return;
        }
        depth -= 1;
        let cut = first + unguarded_partition_pivot(&mut v[first..last], less);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(&mut v[first..last], less);
}

/// Ranges at most this long are left to the final insertion sort (`_S_threshold`).
const THRESHOLD: usize = 16;

/// `std::__introsort_loop`.
fn introsort_loop<E: Copy>(v: &mut [E], mut depth: usize, less: &impl Fn(E, E) -> bool) {
    let mut last = v.len();
    while last > THRESHOLD {
        if depth == 0 {
            partial_sort(&mut v[..last], last, less);
            return;
        }
        depth -= 1;
        let cut = unguarded_partition_pivot(&mut v[..last], less);
        introsort_loop(&mut v[cut..last], depth, less);
        last = cut;
    }
}

/// `std::sort`.
pub fn sort<E: Copy>(v: &mut [E], less: &impl Fn(E, E) -> bool) {
    if v.is_empty() {
        return;
    }
    introsort_loop(v, 2 * lg(v.len()), less);
    // `std::__final_insertion_sort`
    if v.len() > THRESHOLD {
        insertion_sort(&mut v[..THRESHOLD], less);
        for i in THRESHOLD..v.len() {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, less);
    }
}

/// torch's `quick_select_template` (aten/src/ATen/native/SortingUtils.h): partially order `v`
/// so that `v[k]` is the element a sort by `gt` (greater-than) would put there.
pub fn quick_select<E: Copy>(v: &mut [E], k: usize, gt: &impl Fn(E, E) -> bool) {
    if v.is_empty() {
        return;
    }
    let (mut l, mut r) = (0, v.len() - 1);
    loop {
        if r <= l {
            return;
        }
        if r == l + 1 {
            if gt(v[l], v[r]) {
                v.swap(l, r);
            }
            return;
        }
        // median of three for the pivot
        let p = l + (r - l) / 2;
        v.swap(p, l + 1);
        if gt(v[l + 1], v[r]) {
            v.swap(l + 1, r);
        }
        if gt(v[l], v[r]) {
            v.swap(l, r);
        }
        if gt(v[l + 1], v[l]) {
            v.swap(l + 1, l);
        }
        let (mut i, mut j, piv) = (l + 1, r, v[l]);
        loop {
            i += 1;
            while gt(piv, v[i]) {
                i += 1;
            }
            j -= 1;
            while gt(v[j], piv) {
                j -= 1;
            }
            if j < i {
                break;
            }
            v.swap(i, j);
        }
        v.swap(l, j);
        // the active partition; j == 0 only when k == 0, where torch's R becomes -1 and it stops
        if j <= k {
            l = i;
        }
        if j >= k {
            if j == 0 {
                return;
            }
            r = j - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (value, position) pairs compared by value only, as torch's topk does.
    fn pairs(vals: &[i32]) -> Vec<(i32, usize)> {
        vals.iter().copied().zip(0..).collect()
    }

    #[test]
    fn sorts_like_a_sort() {
        let less = |a: (i32, usize), b: (i32, usize)| a.0 < b.0;
        for n in [0usize, 1, 2, 5, 16, 17, 40, 300] {
            let vals: Vec<i32> = (0..n).map(|i| ((i * 7919) % 13) as i32).collect();
            let mut v = pairs(&vals);
            sort(&mut v, &less);
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
            for nth in 0..n {
                let mut v = pairs(&vals);
                nth_element(&mut v, nth, &less);
                let mut s = vals.clone();
                s.sort();
                assert_eq!(v[nth].0, s[nth]);
                let mut q = pairs(&vals);
                quick_select(&mut q, nth, &|a: (i32, usize), b: (i32, usize)| a.0 > b.0);
                assert_eq!(q[nth].0, s[nth]);
            }
            let mut v = pairs(&vals);
            partial_sort(&mut v, n / 3, &less);
            let mut s = vals.clone();
            s.sort();
            assert!(v[..n / 3].iter().map(|e| e.0).eq(s[..n / 3].iter().copied()));
        }
    }

    #[test]
    fn ties_come_out_as_in_torch() {
        // torch.topk(torch.tensor([1., 0, 1, 1, 0, 1, 1]), 3) on CPU: indices [3, 6, 5]
        let mut v = pairs(&[1, 0, 1, 1, 0, 1, 1]);
        let greater = |a: (i32, usize), b: (i32, usize)| a.0 > b.0;
        nth_element(&mut v, 2, &greater);
        sort(&mut v[..2], &greater);
        assert_eq!(v[..3].iter().map(|e| e.1).collect::<Vec<_>>(), [3, 6, 5]);
    }
}

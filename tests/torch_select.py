"""Where torch's CPU kernels put equal elements (sort without stable=True, topk, kthvalue,
unique): a pure-Python transcription of the algorithms they run, as the reference for ties.

sort sorts (value, index) pairs with GNU libstdc++'s std::sort, comparing values only, NaN last
(first when descending); it keeps the input order for 1-D integer inputs of 32768 elements or
more sorted ascending (fbgemm's radix sort), which the tests do not reach. topk
(aten/src/ATen/native/TopKImpl.h) uses std::partial_sort when k * 64 <= n, else
std::nth_element and (when sorted) std::sort of the first k - 1, with the same kind of
comparator. kthvalue runs torch's quick_select_template. unique std::sorts like sort (without a
dim) or sorts row numbers comparing rows lexicographically (with a dim). Checked against torch
2.15 on thousands of random tie-heavy inputs; the tests also pin literal torch results."""


def _isnan(x):
    return x != x


def _lg(n):
    return n.bit_length() - 1


# ---------------------------------------------------------------- bits/stl_heap.h


def _adjust_heap(a, first, hole, length, value, less):
    top = second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if less(a[first + second], a[first + second - 1]):
            second -= 1
        a[first + hole] = a[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        a[first + hole] = a[first + second - 1]
        hole = second - 1
    parent = (hole - 1) // 2  # __push_heap
    while hole > top and less(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _make_heap(a, first, last, less):
    n = last - first
    if n < 2:
        return
    parent = (n - 2) // 2
    while True:
        _adjust_heap(a, first, parent, n, a[first + parent], less)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a, first, last, result, less):
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, less)


def _heap_select(a, first, middle, last, less):
    _make_heap(a, first, middle, less)
    for i in range(middle, last):
        if less(a[i], a[first]):
            _pop_heap(a, first, middle, i, less)


def _partial_sort(a, first, middle, last, less):
    _heap_select(a, first, middle, last, less)
    while middle - first > 1:  # __sort_heap
        middle -= 1
        _pop_heap(a, first, middle, middle, less)


# ---------------------------------------------------------------- bits/stl_algo.h


def _swap(a, i, j):
    a[i], a[j] = a[j], a[i]


def _move_median_to_first(a, result, x, y, z, less):
    if less(a[x], a[y]):
        pick = y if less(a[y], a[z]) else z if less(a[x], a[z]) else x
    else:
        pick = x if less(a[x], a[z]) else z if less(a[y], a[z]) else y
    _swap(a, result, pick)


def _unguarded_partition_pivot(a, first, last, less):
    _move_median_to_first(a, first, first + 1, first + (last - first) // 2, last - 1, less)
    lo, hi, pivot = first + 1, last, first
    while True:
        while less(a[lo], a[pivot]):
            lo += 1
        hi -= 1
        while less(a[pivot], a[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        _swap(a, lo, hi)
        lo += 1


def _linear_insert(a, last, less):
    val = a[last]
    while less(val, a[last - 1]):
        a[last] = a[last - 1]
        last -= 1
    a[last] = val


def _insertion_sort(a, first, last, less):
    for i in range(first + 1, last):
        if less(a[i], a[first]):
            a[first + 1:i + 1], a[first] = a[first:i], a[i]
        else:
            _linear_insert(a, i, less)


def _nth_element(a, nth, less):
    first, last = 0, len(a)
    if first == last or nth == last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:  # __introselect
        if depth == 0:
            _heap_select(a, first, nth + 1, last, less)
            _swap(a, first, nth)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, less)


def _introsort_loop(a, first, last, depth, less):
    while last - first > 16:
        if depth == 0:
            _partial_sort(a, first, last, last, less)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        _introsort_loop(a, cut, last, depth, less)
        last = cut


def _sort(a, first, last, less):
    if first == last:
        return
    _introsort_loop(a, first, last, 2 * _lg(last - first), less)
    if last - first > 16:  # __final_insertion_sort
        _insertion_sort(a, first, first + 16, less)
        for i in range(first + 16, last):
            _linear_insert(a, i, less)
    else:
        _insertion_sort(a, first, last, less)


# ---------------------------------------------------------------- torch


def _by_value(descending):
    """torch's comparator of (value, index) pairs: values only, NaN above everything."""
    if descending:
        return lambda x, y: (_isnan(x[0]) and not _isnan(y[0])) or x[0] > y[0]
    return lambda x, y: (not _isnan(x[0]) and _isnan(y[0])) or x[0] < y[0]


def sort_indices(values, descending=False):
    """The indices torch.sort (stable=False) returns for one line of Python numbers."""
    q = [(v, j) for j, v in enumerate(values)]
    _sort(q, 0, len(q), _by_value(descending))
    return [j for _, j in q]


def unique_row_order(rows):
    """The order in which torch.unique(dim=...) groups rows (lists of Python numbers): a
    std::sort of row numbers, deciding at the first elements that are < or > one another."""
    def less(a, b):
        for x, y in zip(rows[a], rows[b]):
            if x < y:
                return True
            if x > y:
                return False
        return False
    order = list(range(len(rows)))
    _sort(order, 0, len(order), less)
    return order


def topk_indices(values, k, largest=True, sorted=True):
    """The indices torch.topk returns for one line of Python numbers."""
    if k == 0:
        return []
    q = [(v, j) for j, v in enumerate(values)]
    less = _by_value(largest)
    if k * 64 <= len(q):
        _partial_sort(q, 0, k, len(q), less)
    else:
        _nth_element(q, k - 1, less)
        if sorted:
            _sort(q, 0, k - 1, less)
    return [j for _, j in q[:k]]


def kthvalue_index(values, k):
    """The index torch.kthvalue returns for the k-th smallest (1-based) of one line."""
    arr, idx = list(values), list(range(len(values)))

    def gt(x, y):
        return (_isnan(x) and not _isnan(y)) or x > y

    def swap(i, j):
        _swap(arr, i, j)
        _swap(idx, i, j)

    k -= 1
    lo, hi = 0, len(arr) - 1
    while hi > lo:  # quick_select_template
        if hi == lo + 1:
            if gt(arr[lo], arr[hi]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)
        if gt(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if gt(arr[lo], arr[hi]):
            swap(lo, hi)
        if gt(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while gt(piv, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]

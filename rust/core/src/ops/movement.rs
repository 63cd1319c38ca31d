//! Data movement: cat/stack, flip, roll, repeat, tile, tril/triu and other copies that
//! rearrange elements without arithmetic.

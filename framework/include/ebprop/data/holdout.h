// Holding out a validation set (§2): part of the training set that the network never learns from,
// measured after every epoch to pick the epoch to keep ("early stopping") and to tell when more
// training only fits the noise of the training examples.
#pragma once

#include <cstdint>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

struct Holdout {
  Dataset kept;      // the examples still trained on, in their original order
  Dataset held_out;  // the validation examples, in their original order
};

// Splits `count` examples off `data`, a pure function of (data, count, seed).
//
// With labels the split is stratified: of P examples, a class with n of them gives
// ⌊count·n/P⌋ examples, and the count − Σ⌊count·n/P⌋ left go one each to the classes with the
// largest remainders count·n mod P (equal remainders: the lower class first), so the shares add
// up to `count` exactly (Hamilton's largest-remainder rule). Within each class, in the order of
// the classes, the examples are drawn by a partial Fisher-Yates shuffle with the
// platform-independent deviate uniform01 (parameters.h). Without labels (a regression) the
// held-out examples are a plain random subset drawn the same way.
//
// The generator is an mt19937_64 seeded through std::seed_seq{low and high 32 bits of seed, 4}:
// the next stream after those of random_streams.h (initialization, shuffling, sampling = 3), so
// holding out leaves their sequences as they were.
//
// Requires nothing of `data`. Throws ebprop::Error when count < 1 or count >= data.size(), or when
// a class present in `data` would give no example to the validation set or keep none for training
// (the message names the class, its examples and its share).
// Ensures: kept.size() + held_out.size() == data.size(); each example is in exactly one of them;
// both keep data's name (held_out's with " (held-out validation)" added), input shape and classes,
// and their labels and targets (when data has targets for every example).
Holdout hold_out(const Dataset& data, int count, std::uint64_t seed);

}  // namespace ebprop::data

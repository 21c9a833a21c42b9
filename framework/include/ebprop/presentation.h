// Presentation orders of a stochastic epoch (§4.1, §4.2): in which order, and how often, the
// training examples are presented.
//
//   none        the examples in the order of the data set, every epoch
//   shuffle     a fresh random permutation each epoch (§4.1: "shuffle the training set")
//   interleave  a fresh random permutation in which successive examples belong to different
//               classes (§4.2: "shuffle the training set so that successive training examples
//               never (rarely) belong to the same class"): round-robin over the classes, each
//               class's examples shuffled and the class order of every round shuffled too. When
//               classes run out (unequal class sizes) the others go on interleaving; only when one
//               class is left do its remaining examples follow each other.
//   emphasize   §4.2 "emphasizing scheme": as many presentations as the set has examples, drawn
//               with replacement with a probability proportional to each example's error (its
//               loss when it was last presented), clipped to [floor/P, cap/P] for P examples —
//               within those bounds the probabilities stay proportional to the errors, so a
//               floor of 1 and a cap of 1 are the uniform draw.
//
// The paper's warnings about emphasizing (§4.2): it changes the distribution the net is trained on
// (with classes, their priors: a hard class is seen more often than its share of the data), and
// it is harmful when the data hold outliers or mislabeled examples, whose error stays large and
// which it would otherwise present again and again — the cap limits how often any example is
// drawn; the floor keeps well-learned examples in the training distribution.
//
// Every draw takes uniform01 (parameters.h) deviates from the caller's generator: the same seed
// gives the same orders on every platform.
#pragma once

#include <string>
#include <vector>

#include "ebprop/parameters.h"

namespace ebprop {

enum class Order { none, shuffle, interleave, emphasize };

// "none", "shuffle", "interleave", "emphasize".
std::string order_name(Order order);
// The inverse of order_name; throws Error listing the names for another word.
Order parse_order(const std::string& name);

// Fisher-Yates: a uniformly random permutation of `order`, in place.
void shuffle_order(std::vector<int>& order, Rng& rng);

// The interleaved order of the examples 0 .. labels.size() − 1 (see above). Requires: labels ≥ 0.
// A permutation; successive examples share a class only when no other class has examples left.
std::vector<int> interleaved_order(const std::vector<int>& labels, Rng& rng);

// The probability of presenting each example, from its error (≥ 0, finite; NaN: never presented,
// which takes the mean of the others, or 1 when none was presented): p_i = clamp(c · e_i, floor/P,
// cap/P) with c such that Σ p_i = 1. All errors 0: uniform. When even the cap cannot use up the
// probability (the errors concentrated on a few examples), those with error 0 share what is left
// equally (which stays within the bounds). Requires: errors not empty, 0 ≤ floor ≤ 1 ≤ cap;
// throws Error otherwise.
std::vector<double> emphasis_probabilities(const std::vector<double>& errors, double floor,
                                           double cap);

// `count` examples drawn independently with `probabilities` (summing to 1).
std::vector<int> draw_with(const std::vector<double>& probabilities, int count, Rng& rng);

}  // namespace ebprop

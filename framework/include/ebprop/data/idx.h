// IDX files (the MNIST format): plain or gzip-compressed, recognised by content, not by name.
//
// Validates the magic number (two zero bytes, a type code 0x08 ubyte, 0x09 byte, 0x0B short,
// 0x0C int, 0x0D float, 0x0E double, a dimension count 1..8), the dimensions (each > 0) and the
// data size against the file length: a truncated or padded file is a FileError naming the file
// and the sizes expected and found.
#pragma once

#include <string>
#include <vector>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

struct IdxArray {
  std::vector<int> dims;      // e.g. {60000, 28, 28}
  std::vector<float> values;  // all values, converted to float, in file order
};

IdxArray read_idx(const std::string& path);

// Reads an image file (N × d1 × d2 ...) and a label file (N) into a Dataset: inputs are the raw
// values (0..255 for MNIST) as float, input_shape = {d1, d2, ...}, labels and classes set.
// Throws FileError when the counts differ or a label is negative.
Dataset load_idx(const std::string& images_path, const std::string& labels_path);

// Reads an image file (N × d1 × d2 ...) and a file of real-valued targets (N, or N × e1 × e2 ...,
// of any element type) into a Dataset for a regression: inputs as load_idx reads them, targets =
// (e1·e2·..., or 1) × N in the file's order, no labels, classes 0, and targets_name set to
// targets_path.
// Requires: nothing. Throws FileError naming the file: an images file of one dimension, counts
// that differ (naming both files and both counts, read from the headers before any value), an
// example or its targets of more than 2147483647 values, a bad file (read_idx).
Dataset load_idx_targets(const std::string& images_path, const std::string& targets_path);

// The standard file names in a directory: train-images-idx3-ubyte[.gz],
// train-labels-idx1-ubyte[.gz], and t10k-* or test-* for the test set (the first prefix whose
// images, and labels when they are wanted, are there). With `labels` false (a regression, whose
// targets are files of their own) the label files are not required, but those found are still
// returned ("" where none). Throws FileError listing what was looked for and not found.
struct IdxFiles {
  std::string train_images, train_labels, test_images, test_labels;
};
IdxFiles find_idx_files(const std::string& directory, bool labels = true);

}  // namespace ebprop::data

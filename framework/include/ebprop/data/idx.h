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

// The standard file names in a directory: train-images-idx3-ubyte[.gz],
// train-labels-idx1-ubyte[.gz], and t10k-* or test-* for the test set. Throws FileError listing
// what was looked for.
struct IdxFiles {
  std::string train_images, train_labels, test_images, test_labels;
};
IdxFiles find_idx_files(const std::string& directory);

}  // namespace ebprop::data

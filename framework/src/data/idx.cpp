// IDX files (see idx.h): the header is validated in full before any data is read, and the data is
// read and converted to float in large blocks straight into its final place, so a 47 MB MNIST-size
// file loads in a fraction of a second whether or not it is gzip-compressed.
#include "ebprop/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <new>
#include <sstream>

#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace ebprop::data {
namespace {

// Bytes of a file, inflated on the fly when its content starts with the gzip magic 1f 8b: zlib
// checks the magic itself and reads any other file unchanged.
class ByteReader {
 public:
  explicit ByteReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw FileError(path + ": cannot open: " + std::strerror(errno));
    gzbuffer(file_, 1 << 18);
    compressed_ = !gzdirect(file_);
    std::error_code unknown;  // a pipe
    const std::uintmax_t file_size = std::filesystem::file_size(path, unknown);
    // Deflate never compresses by more than 1032:1.
    if (!unknown) size_bound_ = compressed_ ? file_size * 1032 : file_size;
  }
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;
  ~ByteReader() { gzclose(file_); }

  bool compressed() const { return compressed_; }

  // At least as many bytes as the whole (decompressed) file holds; the largest number when unknown.
  std::uintmax_t size_bound() const { return size_bound_; }

  // Reads up to `size` bytes; fewer only at the end of the file. A read error or a corrupt or
  // truncated gzip stream is a FileError.
  std::size_t read(unsigned char* buffer, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
      const int got = gzread(file_, buffer + done, chunk);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    if (done < size) check_status();
    return done;
  }

 private:
  void check_status() {
    int status = Z_OK;
    std::string message = gzerror(file_, &status);
    if (status == Z_OK) return;
    // zlib starts its message with the path; ours already does.
    if (message.rfind(path_ + ": ", 0) == 0) message.erase(0, path_.size() + 2);
    if (status == Z_ERRNO) throw FileError(path_ + ": read error: " + message);
    throw FileError(path_ + ": corrupt gzip file: " + message +
                    (status == Z_BUF_ERROR ? " (the compressed file is truncated)" : ""));
  }

  std::string path_;
  gzFile file_;
  bool compressed_ = false;
  std::uintmax_t size_bound_ = std::numeric_limits<std::uintmax_t>::max();
};

struct ElementType {
  unsigned char code;
  const char* name;
  std::size_t bytes;
};

constexpr ElementType kElementTypes[] = {{0x08, "ubyte", 1}, {0x09, "byte", 1},
                                         {0x0B, "short", 2}, {0x0C, "int", 4},
                                         {0x0D, "float", 4}, {0x0E, "double", 8}};

// No IDX array may hold more values than this (keeps byte counts far from overflow).
constexpr std::uint64_t kMaxValues = std::uint64_t{1} << 40;

// Largest label accepted: every integer up to 2^24 is exact in float.
constexpr float kMaxLabel = 16777215.0f;

template <typename Unsigned>
Unsigned big_endian(const unsigned char* bytes) {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) value = (value << 8) | bytes[i];
  return value;
}

template <typename Target, typename Unsigned>
Target reinterpret_big_endian(const unsigned char* bytes) {
  const Unsigned bits = big_endian<Unsigned>(bytes);
  Target value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Converts `count` file elements at `in` to float at `out`.
void convert(const ElementType& type, const unsigned char* in, std::size_t count, float* out) {
  switch (type.code) {
    case 0x08:
      for (std::size_t i = 0; i < count; ++i) out[i] = in[i];
      break;
    case 0x09:
      for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<signed char>(in[i]);
      break;
    case 0x0B:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = reinterpret_big_endian<std::int16_t, std::uint16_t>(in + 2 * i);
      break;
    case 0x0C:
      for (std::size_t i = 0; i < count; ++i)
        out[i] =
            static_cast<float>(reinterpret_big_endian<std::int32_t, std::uint32_t>(in + 4 * i));
      break;
    case 0x0D:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = reinterpret_big_endian<float, std::uint32_t>(in + 4 * i);
      break;
    case 0x0E:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<float>(reinterpret_big_endian<double, std::uint64_t>(in + 8 * i));
      break;
  }
}

std::string hex_magic(const unsigned char* magic) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%02X%02X%02X%02X", magic[0], magic[1], magic[2], magic[3]);
  return text;
}

std::string number_str(float value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

const ElementType& element_type(const std::string& path, const unsigned char* magic) {
  for (const ElementType& type : kElementTypes)
    if (type.code == magic[2]) return type;
  throw FileError(path + ": not an IDX file: magic number " + hex_magic(magic) +
                  " has data type code " + hex_magic(magic).substr(6, 2) +
                  " (expected 08 ubyte, 09 byte, 0B short, 0C int, 0D float or 0E double)");
}

// An IDX file whose header has been read and validated; read_values() reads the rest.
class IdxFile {
 public:
  explicit IdxFile(const std::string& path) : path_(path), in_(path) {
    unsigned char magic[4];
    const std::size_t magic_bytes = in_.read(magic, 4);
    if (magic_bytes < 4)
      throw FileError(path + ": not an IDX file: " + std::to_string(magic_bytes) +
                      " bytes, too short for the 4-byte magic number");
    if (magic[0] != 0 || magic[1] != 0)
      throw FileError(path + ": not an IDX file: magic number " + hex_magic(magic) +
                      " does not start with two zero bytes");
    type_ = &element_type(path, magic);
    const int rank = magic[3];
    if (rank < 1 || rank > 8)
      throw FileError(path + ": not an IDX file: magic number " + hex_magic(magic) + " gives " +
                      std::to_string(rank) + " dimensions (expected 1 to 8)");

    unsigned char header[4 * 8];
    const std::size_t header_bytes = in_.read(header, 4 * rank);
    if (header_bytes < 4u * rank)
      throw FileError(path + ": truncated header: " + std::to_string(rank) + " dimensions need " +
                      std::to_string(4 * rank) + " bytes after the magic number, file has " +
                      std::to_string(header_bytes));
    for (int i = 0; i < rank; ++i) {
      const std::uint32_t dim = big_endian<std::uint32_t>(header + 4 * i);
      if (dim == 0 || dim > static_cast<std::uint32_t>(std::numeric_limits<int>::max()))
        throw FileError(path + ": dimension " + std::to_string(i + 1) + " of " +
                        std::to_string(rank) + " is " + std::to_string(dim) +
                        " (expected 1 to 2147483647)");
      dims_.push_back(static_cast<int>(dim));
    }
    for (const int dim : dims_) {
      if (static_cast<std::uint64_t>(dim) > kMaxValues / count_)
        throw FileError(path + ": header says " + shape_str(dims_) + ", more than 2^40 values");
      count_ *= dim;
    }

    // Before anyone allocates memory for the values: is there room for them in the file?
    if (4 + 4 * rank + data_bytes() > in_.size_bound())
      throw FileError(path + ": truncated: " + sizes(skip_rest()));
  }

  const std::vector<int>& dims() const { return dims_; }
  std::size_t count() const { return count_; }

  // Reads the count() values into `out`, converted to float, and checks that nothing follows.
  void read_values(float* out) {
    const std::size_t block_values = kBlockBytes / type_->bytes;
    std::vector<unsigned char> block(block_values * type_->bytes);
    for (std::uint64_t done = 0; done < count_;) {
      const std::size_t values = std::min<std::uint64_t>(count_ - done, block_values);
      const std::size_t got = in_.read(block.data(), values * type_->bytes);
      if (got < values * type_->bytes)
        throw FileError(path_ + ": truncated: " + sizes(done * type_->bytes + got));
      convert(*type_, block.data(), values, out + done);
      done += values;
    }
    const std::uint64_t extra = skip_rest();
    if (extra > 0)
      throw FileError(path_ + ": " + std::to_string(extra) +
                      " unexpected bytes after the data: " + sizes(data_bytes() + extra));
  }

 private:
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

  std::uint64_t data_bytes() const { return count_ * type_->bytes; }

  // Reads to the end of the file; returns the number of bytes read.
  std::uint64_t skip_rest() {
    std::vector<unsigned char> block(kBlockBytes);
    std::uint64_t bytes = 0;
    for (std::size_t got; (got = in_.read(block.data(), block.size())) > 0;) bytes += got;
    return bytes;
  }

  // "header says 60000x28x28 ubyte = 47040000 bytes of data, file has 123"
  std::string sizes(std::uint64_t found) const {
    return "header says " + shape_str(dims_) + " " + type_->name + " = " +
           std::to_string(data_bytes()) + " bytes of data, file has " + std::to_string(found) +
           (in_.compressed() ? " (decompressed)" : "");
  }

  std::string path_;
  ByteReader in_;
  const ElementType* type_ = nullptr;
  std::vector<int> dims_;
  std::uint64_t count_ = 1;
};

// Refuses an images file of one dimension (a labels or targets file given as images), before
// anything is read.
void require_images(const IdxFile& images, const std::string& images_path) {
  if (images.dims().size() < 2)
    throw FileError(images_path + ": expected images (N x rows x columns ...), found a " +
                    "1-dimensional IDX array of " + std::to_string(images.dims()[0]) +
                    " values (a labels or targets file?)");
}

// Reads the examples of `images` (checked by require_images) into data's inputs, one column per
// example, and sets its name and input shape.
void read_images(IdxFile& images, const std::string& images_path, Dataset& data) {
  const int examples = images.dims()[0];
  data.name = images_path;
  data.input_shape.assign(images.dims().begin() + 1, images.dims().end());
  const std::uint64_t features = images.count() / examples;
  if (features > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw FileError(images_path + ": one example of " + shape_str(data.input_shape) + " has " +
                    std::to_string(features) + " values, more than 2147483647");
  check_allocation(images.count(), sizeof(float),
                   images_path + ": " + std::to_string(examples) + " examples of " +
                       shape_str(data.input_shape));
  data.inputs.resize(static_cast<Eigen::Index>(features), examples);
  images.read_values(data.inputs.data());  // one column per example is the file's order
}

}  // namespace

IdxArray read_idx(const std::string& path) try {
  IdxFile file(path);
  IdxArray array;
  array.dims = file.dims();
  check_allocation(file.count(), sizeof(float), path + ": " + shape_str(array.dims) + " values");
  array.values.resize(file.count());
  file.read_values(array.values.data());
  return array;
} catch (const std::bad_alloc&) {
  throw FileError(out_of_memory(path));
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path) try {
  // Both headers first: a mismatch is reported before 47 MB of pixels are read.
  IdxFile images(images_path), labels(labels_path);
  require_images(images, images_path);
  if (labels.dims().size() != 1)
    throw FileError(labels_path + ": expected labels (a 1-dimensional IDX array), found " +
                    shape_str(labels.dims()));
  const int examples = images.dims()[0];
  if (labels.dims()[0] != examples)
    throw FileError(images_path + " has " + std::to_string(examples) + " images but " +
                    labels_path + " has " + std::to_string(labels.dims()[0]) + " labels");

  Dataset data;
  read_images(images, images_path, data);
  check_allocation(static_cast<std::uint64_t>(examples), sizeof(float) + sizeof(int),
                   labels_path + ": " + std::to_string(examples) + " labels");
  std::vector<float> values(examples);
  labels.read_values(values.data());
  data.labels.resize(examples);
  for (int i = 0; i < examples; ++i) {
    const float label = values[i];
    if (!(label >= 0 && label <= kMaxLabel) || label != std::floor(label))
      throw FileError(labels_path + ": label " + std::to_string(i + 1) + " of " +
                      std::to_string(examples) + " is " + number_str(label) +
                      "; labels must be integers from 0 to 16777215");
    if (label > static_cast<float>(max_label(examples)))
      throw FileError(labels_path + ": label " + std::to_string(i + 1) + " of " +
                      std::to_string(examples) + ": " + label_too_large(label, examples));
    data.labels[i] = static_cast<int>(label);
    data.classes = std::max(data.classes, data.labels[i] + 1);
  }
  return data;
} catch (const std::bad_alloc&) {
  throw FileError(out_of_memory(images_path + " and " + labels_path));
}

Dataset load_idx_targets(const std::string& images_path, const std::string& targets_path) try {
  // Both headers first, as load_idx reads them.
  IdxFile images(images_path), targets(targets_path);
  require_images(images, images_path);
  const int examples = images.dims()[0];
  if (targets.dims()[0] != examples)
    throw FileError(images_path + " has " + std::to_string(examples) + " images but " +
                    targets_path + " has the targets of " + std::to_string(targets.dims()[0]) +
                    " examples");
  const std::uint64_t per_example = targets.count() / examples;
  const Shape shape(targets.dims().begin() + 1, targets.dims().end());
  if (per_example > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw FileError(targets_path + ": the targets of one example, " + shape_str(shape) + ", are " +
                    std::to_string(per_example) + " values, more than 2147483647");

  Dataset data;
  read_images(images, images_path, data);
  data.targets_name = targets_path;
  check_allocation(targets.count(), sizeof(float),
                   targets_path + ": the targets of " + std::to_string(examples) + " examples");
  data.targets.resize(static_cast<Eigen::Index>(per_example), examples);
  targets.read_values(data.targets.data());  // one column per example, as the inputs
  return data;
} catch (const std::bad_alloc&) {
  throw FileError(out_of_memory(images_path + " and " + targets_path));
}

IdxFiles find_idx_files(const std::string& directory, bool labels) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error))
    throw FileError(directory + ": not a directory (looking for IDX files)");

  // The file `stem` or `stem.gz` in the directory, or "" when neither exists.
  const auto find = [&](const std::string& stem) {
    for (const char* suffix : {"", ".gz"}) {
      const fs::path path = fs::path(directory) / (stem + suffix);
      if (fs::is_regular_file(path, error)) return path.string();
    }
    return std::string();
  };

  IdxFiles files;
  files.train_images = find("train-images-idx3-ubyte");
  files.train_labels = find("train-labels-idx1-ubyte");
  for (const char* prefix : {"t10k", "test"}) {
    files.test_images = find(prefix + std::string("-images-idx3-ubyte"));
    files.test_labels = find(prefix + std::string("-labels-idx1-ubyte"));
    if (!files.test_images.empty() && (!files.test_labels.empty() || !labels)) break;
  }

  std::vector<std::string> missing;
  if (files.train_images.empty()) missing.push_back("train-images-idx3-ubyte[.gz]");
  if (labels && files.train_labels.empty()) missing.push_back("train-labels-idx1-ubyte[.gz]");
  if (labels && (files.test_images.empty() || files.test_labels.empty()))
    missing.push_back(
        "a pair t10k-images-idx3-ubyte[.gz] + t10k-labels-idx1-ubyte[.gz] or "
        "test-images-idx3-ubyte[.gz] + test-labels-idx1-ubyte[.gz]");
  if (!labels && files.test_images.empty())
    missing.push_back("t10k-images-idx3-ubyte[.gz] or test-images-idx3-ubyte[.gz]");
  if (!missing.empty())
    throw FileError(directory + ": missing IDX files: looked for train-images-idx3-ubyte[.gz]" +
                    (labels ? ", train-labels-idx1-ubyte[.gz] and t10k-* or test-* images and "
                              "labels"
                            : " and t10k-* or test-* images (no labels: the targets are files of "
                              "their own)") +
                    "; not found: " + join(missing, "; "));
  return files;
}

}  // namespace ebprop::data

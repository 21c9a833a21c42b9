// The data layer: IDX and CSV files, one-of-N targets (§4.5), input normalization (§4.3).
#define BOOST_TEST_MODULE data
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "ebprop/data/csv.h"
#include "ebprop/data/dataset.h"
#include "ebprop/data/finite.h"
#include "ebprop/data/idx.h"
#include "ebprop/data/preprocess.h"
#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace fs = std::filesystem;
using namespace ebprop;
using namespace ebprop::data;

namespace {

const std::string kMnist = EBPROP_SOURCE_DIR "/data/mnist10k";
const std::string kTrainImages = kMnist + "/train-images-idx3-ubyte.gz";
const std::string kTrainLabels = kMnist + "/train-labels-idx1-ubyte.gz";
const std::string kTestImages = kMnist + "/test-images-idx3-ubyte.gz";
const std::string kTestLabels = kMnist + "/test-labels-idx1-ubyte.gz";

using Bytes = std::vector<unsigned char>;

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = fs::temp_directory_path() /
            ("ebprop-test-data-" + std::to_string(now) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  BOOST_REQUIRE(out.good());
}

void write_text(const std::string& path, const std::string& text) {
  write_file(path, Bytes(text.begin(), text.end()));
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void append_big_endian(Bytes& bytes, std::uint64_t value, int size) {
  for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) bytes.push_back((value >> shift) & 0xff);
}

// An IDX header: two zero bytes, the type code, the dimension count, the big-endian dimensions.
Bytes idx_header(unsigned char type, const std::vector<std::uint32_t>& dims) {
  Bytes bytes = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (const std::uint32_t dim : dims) append_big_endian(bytes, dim, 4);
  return bytes;
}

Bytes idx_file(unsigned char type, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes bytes = idx_header(type, dims);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// An IDX file of 32-bit floats (type 0x0D), big-endian.
Bytes idx_floats(const std::vector<std::uint32_t>& dims, const std::vector<float>& values) {
  Bytes data;
  for (const float value : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    append_big_endian(data, bits, 4);
  }
  return idx_file(0x0D, dims, data);
}

std::uint32_t crc32(const Bytes& bytes) {
  std::uint32_t crc = 0xffffffff;
  for (const unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void append_little_endian(Bytes& bytes, std::uint32_t value, int size) {
  for (int i = 0; i < size; ++i) bytes.push_back((value >> (8 * i)) & 0xff);
}

// A gzip file holding `data` in one stored (uncompressed) deflate block (RFC 1951, 1952).
Bytes gzip_stored(const Bytes& data) {
  BOOST_REQUIRE(data.size() < 65536);
  Bytes bytes = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1};
  append_little_endian(bytes, data.size(), 2);
  append_little_endian(bytes, ~data.size(), 2);
  bytes.insert(bytes.end(), data.begin(), data.end());
  append_little_endian(bytes, crc32(data), 4);
  append_little_endian(bytes, data.size(), 4);
  return bytes;
}

// The message of the E that f throws; fails the test when it throws nothing.
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  BOOST_FAIL("expected an exception");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Dataset dataset(const std::vector<std::vector<float>>& columns) {
  Dataset data;
  data.name = "hand-made";
  data.inputs.resize(columns.empty() ? 0 : columns[0].size(), columns.size());
  for (std::size_t j = 0; j < columns.size(); ++j)
    for (std::size_t i = 0; i < columns[j].size(); ++i) data.inputs(i, j) = columns[j][i];
  data.input_shape = {static_cast<int>(data.inputs.rows())};
  return data;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(idx)

BOOST_AUTO_TEST_CASE(bundled_mnist10k_loads) {
  const IdxFiles files = find_idx_files(kMnist);
  BOOST_TEST(files.train_images == kTrainImages);
  BOOST_TEST(files.train_labels == kTrainLabels);
  BOOST_TEST(files.test_images == kTestImages);
  BOOST_TEST(files.test_labels == kTestLabels);

  const Dataset train = load_idx(files.train_images, files.train_labels);
  const Dataset test = load_idx(files.test_images, files.test_labels);
  BOOST_TEST(train.size() == 8000);
  BOOST_TEST(test.size() == 2000);
  BOOST_TEST(train.name == kTrainImages);
  for (const Dataset* data : {&train, &test}) {
    BOOST_TEST(data->inputs.rows() == 784);
    BOOST_TEST((data->input_shape == Shape{28, 28}));
    BOOST_TEST(data->classes == 10);
    BOOST_TEST(data->labels.size() == static_cast<std::size_t>(data->size()));
    std::vector<int> per_class(10, 0);
    for (const int label : data->labels) {
      BOOST_REQUIRE(label >= 0);
      BOOST_REQUIRE(label <= 9);
      ++per_class[label];
    }
    for (const int count : per_class) BOOST_TEST(count > 0);
    BOOST_TEST(data->inputs.minCoeff() == 0.0f);
    BOOST_TEST(data->inputs.maxCoeff() == 255.0f);
    BOOST_TEST(data->targets.size() == 0);
  }
}

BOOST_AUTO_TEST_CASE(plain_copy_reads_identically) {
  const IdxArray compressed = read_idx(kTrainImages);
  BOOST_TEST((compressed.dims == std::vector<int>{8000, 28, 28}));
  BOOST_REQUIRE(compressed.values.size() == 8000u * 28 * 28);

  // The gunzipped file: the same header and the pixels as bytes.
  Bytes pixels(compressed.values.begin(), compressed.values.end());
  TempDir dir;
  const std::string plain = dir.file("train-images-idx3-ubyte");
  write_file(plain, idx_file(0x08, {8000, 28, 28}, pixels));

  const IdxArray uncompressed = read_idx(plain);
  BOOST_TEST(uncompressed.dims == compressed.dims);
  BOOST_TEST((uncompressed.values == compressed.values));

  const Dataset from_gzip = load_idx(kTrainImages, kTrainLabels);
  const Dataset from_plain = load_idx(plain, kTrainLabels);
  BOOST_TEST((from_plain.inputs == from_gzip.inputs));
  BOOST_TEST(from_plain.labels == from_gzip.labels);
  BOOST_TEST(from_plain.name == plain);
}

BOOST_AUTO_TEST_CASE(every_element_type_converts_to_float) {
  TempDir dir;
  struct Case {
    unsigned char type;
    Bytes data;
    std::vector<float> expected;
  };
  std::uint32_t float_bits, minus_float_bits;
  const float one_and_half = 1.5f, minus_quarter = -0.25f;
  std::memcpy(&float_bits, &one_and_half, 4);
  std::memcpy(&minus_float_bits, &minus_quarter, 4);
  std::uint64_t double_bits, minus_double_bits;
  const double small = 3.25, large = -1e10;
  std::memcpy(&double_bits, &small, 8);
  std::memcpy(&minus_double_bits, &large, 8);

  std::vector<Case> cases = {{0x08, {0x00, 0xff}, {0, 255}},
                             {0x09, {0x80, 0x7f}, {-128, 127}},
                             {0x0B, {0xff, 0xfe, 0x01, 0x2c}, {-2, 300}},
                             {0x0C, {}, {-70000, 123456}},
                             {0x0D, {}, {1.5f, -0.25f}},
                             {0x0E, {}, {3.25f, -1e10f}}};
  append_big_endian(cases[3].data, static_cast<std::uint32_t>(-70000), 4);
  append_big_endian(cases[3].data, 123456, 4);
  append_big_endian(cases[4].data, float_bits, 4);
  append_big_endian(cases[4].data, minus_float_bits, 4);
  append_big_endian(cases[5].data, double_bits, 8);
  append_big_endian(cases[5].data, minus_double_bits, 8);

  for (const Case& c : cases) {
    const std::string path = dir.file("type" + std::to_string(c.type));
    write_file(path, idx_file(c.type, {2}, c.data));
    const IdxArray array = read_idx(path);
    BOOST_TEST((array.dims == std::vector<int>{2}));
    BOOST_TEST(array.values == c.expected, "type code " << int(c.type));
  }
}

BOOST_AUTO_TEST_CASE(missing_file) {
  TempDir dir;
  const std::string path = dir.file("no-such-file");
  const std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": cannot open"), message);
  BOOST_TEST(contains(message, "No such file"), message);
}

BOOST_AUTO_TEST_CASE(bad_magic_number) {
  TempDir dir;
  const std::string path = dir.file("bad-magic");
  write_file(path, {0x01, 0x02, 0x08, 0x01, 0, 0, 0, 1, 7});
  const std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": not an IDX file: magic number 0x01020801"), message);
  BOOST_TEST(contains(message, "two zero bytes"), message);

  write_file(path, {0, 0});
  BOOST_TEST(
      contains(error_of<FileError>([&] { read_idx(path); }), path + ": not an IDX file: 2 bytes"));
}

BOOST_AUTO_TEST_CASE(bad_type_code) {
  TempDir dir;
  const std::string path = dir.file("bad-type");
  write_file(path, idx_file(0x0A, {1}, {7}));
  const std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": not an IDX file"), message);
  BOOST_TEST(contains(message, "data type code 0A"), message);
}

BOOST_AUTO_TEST_CASE(bad_dimensions) {
  TempDir dir;
  const std::string path = dir.file("bad-dims");
  for (const unsigned char rank : {0, 9}) {
    write_file(path, {0, 0, 0x08, rank});
    const std::string message = error_of<FileError>([&] { read_idx(path); });
    BOOST_TEST(contains(message, path + ": not an IDX file"), message);
    BOOST_TEST(contains(message, std::to_string(rank) + " dimensions (expected 1 to 8)"), message);
  }

  write_file(path, idx_file(0x08, {3, 0}, {}));
  std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": dimension 2 of 2 is 0"), message);

  write_file(path, Bytes{0, 0, 0x08, 3, 0, 0, 0, 1});
  message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": truncated header"), message);

  // Eight huge dimensions overflow any size type: rejected before anything is allocated.
  write_file(path, idx_header(0x08, std::vector<std::uint32_t>(8, 0x7fffffff)));
  message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": header says 2147483647x"), message);
  BOOST_TEST(contains(message, "more than 2^40 values"), message);
}

BOOST_AUTO_TEST_CASE(truncated_data) {
  TempDir dir;
  const std::string path = dir.file("truncated");
  write_file(path, idx_file(0x08, {60000, 28, 28}, Bytes(123, 1)));
  const std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": truncated: header says 60000x28x28 ubyte = 47040000 "
                                      "bytes of data, file has 123"),
             message);

  // A header promising 2^31 values with a few bytes behind it: an error, not an allocation.
  write_file(path, idx_file(0x0E, {0x7fffffff}, Bytes(20, 0)));
  const std::string huge = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(huge, "double = 17179869176 bytes of data, file has 20"), huge);
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  TempDir dir;
  const std::string path = dir.file("padded");
  write_file(path, idx_file(0x08, {3}, {1, 2, 3, 4, 5}));
  const std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": 2 unexpected bytes after the data"), message);
  BOOST_TEST(contains(message, "header says 3 ubyte = 3 bytes of data, file has 5"), message);
}

BOOST_AUTO_TEST_CASE(gzip_recognised_by_content) {
  TempDir dir;
  const std::string path = dir.file("no-gz-suffix");
  write_file(path, gzip_stored(idx_file(0x08, {3}, {1, 2, 3})));
  BOOST_TEST((read_idx(path).values == std::vector<float>{1, 2, 3}));

  write_file(path, gzip_stored(idx_file(0x08, {60000, 28, 28}, Bytes(123, 1))));
  std::string message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": truncated: header says 60000x28x28 ubyte = 47040000 "
                                      "bytes of data, file has 123 (decompressed)"),
             message);

  write_file(path, gzip_stored(idx_file(0x0B, {100}, Bytes(51, 1))));
  message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": truncated: header says 100 short = 200 bytes of data, "
                                      "file has 51 (decompressed)"),
             message);

  write_file(path, gzip_stored(idx_file(0x08, {3}, {1, 2, 3, 4})));
  message = error_of<FileError>([&] { read_idx(path); });
  BOOST_TEST(contains(message, path + ": 1 unexpected bytes after the data"), message);
}

BOOST_AUTO_TEST_CASE(corrupt_gzip) {
  TempDir dir;
  const Bytes original = read_file(kTrainLabels);
  BOOST_REQUIRE(original.size() > 100);

  const std::string truncated = dir.file("truncated.gz");
  write_file(truncated, Bytes(original.begin(), original.begin() + original.size() / 2));
  std::string message = error_of<FileError>([&] { read_idx(truncated); });
  BOOST_TEST(contains(message, truncated + ": corrupt gzip file"), message);
  BOOST_TEST(contains(message, "truncated"), message);

  // All the data but not the CRC and length at the end.
  write_file(truncated, Bytes(original.begin(), original.end() - 8));
  message = error_of<FileError>([&] { read_idx(truncated); });
  BOOST_TEST(contains(message, truncated + ": corrupt gzip file"), message);

  const std::string garbled = dir.file("garbled.gz");
  Bytes bytes = original;
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i) bytes[i] ^= 0x5a;
  write_file(garbled, bytes);
  message = error_of<FileError>([&] { read_idx(garbled); });
  BOOST_TEST(contains(message, garbled + ": corrupt gzip file"), message);
}

BOOST_AUTO_TEST_CASE(label_and_image_counts_differ) {
  const std::string message = error_of<FileError>([] { load_idx(kTrainImages, kTestLabels); });
  BOOST_TEST(contains(message, kTrainImages + " has 8000 images"), message);
  BOOST_TEST(contains(message, kTestLabels + " has 2000 labels"), message);
}

BOOST_AUTO_TEST_CASE(images_and_labels_swapped) {
  std::string message = error_of<FileError>([] { load_idx(kTrainImages, kTrainImages); });
  BOOST_TEST(contains(message, kTrainImages + ": expected labels"), message);
  message = error_of<FileError>([] { load_idx(kTrainLabels, kTrainLabels); });
  BOOST_TEST(contains(message, kTrainLabels + ": expected images"), message);
}

BOOST_AUTO_TEST_CASE(labels_must_be_non_negative_integers) {
  TempDir dir;
  const std::string images = dir.file("images"), labels = dir.file("labels");
  write_file(images, idx_file(0x08, {3, 2}, {0, 1, 2, 3, 4, 5}));
  write_file(labels, idx_file(0x09, {3}, {0, 0xff, 2}));
  std::string message = error_of<FileError>([&] { load_idx(images, labels); });
  BOOST_TEST(contains(message, labels + ": label 2 of 3 is -1"), message);

  write_file(labels, idx_file(0x08, {3}, {0, 4, 2}));
  const Dataset data = load_idx(images, labels);
  BOOST_TEST(data.classes == 5);
  BOOST_TEST((data.input_shape == Shape{2}));
  BOOST_TEST(data.inputs(1, 2) == 5.0f);
}

// A regression's targets: N, N x 1 or N x d1 x ... values of any element type, one column of
// d1·... targets per example in the file's order, and no labels.
BOOST_AUTO_TEST_CASE(targets_files_pair_with_images) {
  TempDir dir;
  const std::string images = dir.file("images"), targets = dir.file("targets");
  write_file(images, idx_floats({4, 2}, {1, 0.5f, -0.5f, 1.5f, 2, -1, 0.25f, 0.75f}));
  for (const auto& dims : {std::vector<std::uint32_t>{4}, std::vector<std::uint32_t>{4, 1}}) {
    write_file(targets, idx_floats(dims, {1, -1, 0.5f, -0.25f}));
    const Dataset data = load_idx_targets(images, targets);
    BOOST_TEST(data.name == images);
    BOOST_TEST(data.targets_name == targets);
    BOOST_TEST(data.size() == 4);
    BOOST_TEST((data.input_shape == Shape{2}));
    BOOST_TEST(data.inputs(0, 1) == -0.5f);
    BOOST_TEST(data.inputs(1, 3) == 0.75f);
    BOOST_TEST_REQUIRE(data.targets.rows() == 1);
    BOOST_TEST_REQUIRE(data.targets.cols() == 4);
    BOOST_TEST(data.targets(0, 0) == 1.0f);
    BOOST_TEST(data.targets(0, 3) == -0.25f);
    BOOST_TEST(data.labels.empty());
    BOOST_TEST(data.classes == 0);
  }
  // Ubyte targets of 2 x 3 per example: six a column, example after example.
  Bytes values(4 * 6);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<unsigned char>(10 + i);
  write_file(targets, idx_file(0x08, {4, 2, 3}, values));
  const Dataset data = load_idx_targets(images, targets);
  BOOST_TEST_REQUIRE(data.targets.rows() == 6);
  BOOST_TEST_REQUIRE(data.targets.cols() == 4);
  BOOST_TEST(data.targets(0, 0) == 10.0f);
  BOOST_TEST(data.targets(5, 0) == 15.0f);
  BOOST_TEST(data.targets(0, 1) == 16.0f);
  BOOST_TEST(data.targets(4, 3) == 32.0f);
}

BOOST_AUTO_TEST_CASE(targets_files_are_refused_with_both_counts_or_as_images) {
  TempDir dir;
  const std::string images = dir.file("images"), targets = dir.file("targets");
  write_file(images, idx_floats({4, 2}, {1, 0.5f, -0.5f, 1.5f, 2, -1, 0.25f, 0.75f}));
  // The counts come from the headers: the mismatch is found before the values (and the bytes
  // after them, which reading them would refuse).
  Bytes three = idx_floats({3, 2}, {1, 2, 3, 4, 5, 6});
  three.insert(three.end(), {1, 2, 3, 4});
  write_file(targets, three);
  std::string message = error_of<FileError>([&] { load_idx_targets(images, targets); });
  BOOST_TEST(message == images + " has 4 images but " + targets + " has the targets of 3 examples");
  // A 1-dimensional images file (the targets given twice) is named as such.
  write_file(targets, idx_floats({4}, {1, -1, 0.5f, -0.25f}));
  message = error_of<FileError>([&] { load_idx_targets(targets, targets); });
  BOOST_TEST(contains(message, targets + ": expected images (N x rows x columns ...), found a "
                                         "1-dimensional IDX array of 4 values"),
             message);
  // What read_idx refuses, it refuses in a targets file too.
  write_file(targets, idx_file(0x0D, {4}, Bytes(20, 0)));
  message = error_of<FileError>([&] { load_idx_targets(images, targets); });
  BOOST_TEST(contains(message, targets + ": 4 unexpected bytes after the data"), message);
  // A NaN target is named in the targets file, not the images file.
  write_file(targets, idx_floats({4}, {1, -1, std::nanf(""), -0.25f}));
  const Dataset data = load_idx_targets(images, targets);
  message = error_of<NumericError>([&] { require_finite(data); });
  BOOST_TEST(contains(message, "'" + targets + "': example 2 (counted from 0), target 0, is NaN"),
             message);
}

BOOST_AUTO_TEST_CASE(find_idx_files_variants) {
  TempDir dir;
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"})
    write_file(dir.file(name), {});
  const IdxFiles files = find_idx_files(dir.file(""));
  BOOST_TEST(fs::path(files.train_images).filename() == "train-images-idx3-ubyte");
  BOOST_TEST(fs::path(files.train_labels).filename() == "train-labels-idx1-ubyte.gz");
  BOOST_TEST(fs::path(files.test_images).filename() == "t10k-images-idx3-ubyte.gz");
  BOOST_TEST(fs::path(files.test_labels).filename() == "t10k-labels-idx1-ubyte");

  fs::remove(dir.file("train-labels-idx1-ubyte.gz"));
  fs::remove(dir.file("t10k-labels-idx1-ubyte"));
  const std::string message = error_of<FileError>([&] { find_idx_files(dir.file("")); });
  BOOST_TEST(contains(message, dir.file("") + ": missing IDX files"), message);
  BOOST_TEST(contains(message, "not found: train-labels-idx1-ubyte[.gz]; a pair t10k-"), message);
  BOOST_TEST(!contains(message, "not found: train-images"), message);

  const std::string nowhere = dir.file("nowhere");
  BOOST_TEST(contains(error_of<FileError>([&] { find_idx_files(nowhere); }),
                      nowhere + ": not a directory"));

  // For a regression the labels are not needed; those there are still found.
  const IdxFiles images = find_idx_files(dir.file(""), false);
  BOOST_TEST(fs::path(images.train_images).filename() == "train-images-idx3-ubyte");
  BOOST_TEST(images.train_labels.empty());
  BOOST_TEST(fs::path(images.test_images).filename() == "t10k-images-idx3-ubyte.gz");
  BOOST_TEST(images.test_labels.empty());
  write_file(dir.file("t10k-labels-idx1-ubyte"), {});
  BOOST_TEST(fs::path(find_idx_files(dir.file(""), false).test_labels).filename() ==
             "t10k-labels-idx1-ubyte");
  fs::remove(dir.file("t10k-images-idx3-ubyte.gz"));
  const std::string no_test = error_of<FileError>([&] { find_idx_files(dir.file(""), false); });
  BOOST_TEST(contains(no_test, dir.file("") +
                                   ": missing IDX files: looked for train-images-idx3-ubyte[.gz] "
                                   "and t10k-* or test-* images (no labels: the targets are "
                                   "files of their own); not found: t10k-images-idx3-ubyte[.gz] "
                                   "or test-images-idx3-ubyte[.gz]"),
             no_test);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(header_skipped_label_first) {
  TempDir dir;
  const std::string path = dir.file("digits.csv");
  write_text(path, "label,a,b\n1,0.5,2\n0,-1,3e2\n");
  const Dataset data = load_csv(path);
  BOOST_TEST(data.name == path);
  BOOST_TEST(data.size() == 2);
  BOOST_TEST((data.input_shape == Shape{2}));
  BOOST_TEST(data.labels == (std::vector<int>{1, 0}));
  BOOST_TEST(data.classes == 2);
  BOOST_TEST(data.inputs(0, 0) == 0.5f);
  BOOST_TEST(data.inputs(1, 0) == 2.0f);
  BOOST_TEST(data.inputs(0, 1) == -1.0f);
  BOOST_TEST(data.inputs(1, 1) == 300.0f);
}

BOOST_AUTO_TEST_CASE(label_last_blank_lines_and_crlf) {
  TempDir dir;
  const std::string path = dir.file("windows.csv");
  write_text(path, "1, 2, 3\r\n\r\n  \n4,5,0\r\n");
  CsvOptions options;
  options.label_column = -1;
  const Dataset data = load_csv(path, options);
  BOOST_TEST(data.size() == 2);  // the first line is numbers: data, not a header
  BOOST_TEST(data.labels == (std::vector<int>{3, 0}));
  BOOST_TEST(data.classes == 4);
  BOOST_TEST(data.inputs(0, 0) == 1.0f);
  BOOST_TEST(data.inputs(1, 1) == 5.0f);

  options.label_column = 1;  // a middle column
  const Dataset middle = load_csv(path, options);
  BOOST_TEST(middle.labels == (std::vector<int>{2, 5}));
  BOOST_TEST(middle.inputs(1, 0) == 3.0f);
}

BOOST_AUTO_TEST_CASE(regression_targets) {
  TempDir dir;
  const std::string path = dir.file("regression.csv");
  write_text(path, "x,y1,y2\n1,2,3\n4,5.5,-6\n");
  CsvOptions options;
  options.label_column = CsvOptions::none;
  options.target_columns = 2;
  const Dataset data = load_csv(path, options);
  BOOST_TEST(data.inputs.rows() == 1);
  BOOST_TEST(data.inputs(0, 1) == 4.0f);
  BOOST_TEST(data.targets.rows() == 2);
  BOOST_TEST(data.targets.cols() == 2);
  BOOST_TEST(data.targets(0, 1) == 5.5f);
  BOOST_TEST(data.targets(1, 1) == -6.0f);
  BOOST_TEST(data.labels.empty());
  BOOST_TEST(data.classes == 0);

  options.target_columns = 3;
  const std::string message = error_of<FileError>([&] { load_csv(path, options); });
  BOOST_TEST(contains(message, path + ": rows have 3 columns, too few for 3 target columns"),
             message);
}

BOOST_AUTO_TEST_CASE(ragged_row) {
  TempDir dir;
  const std::string path = dir.file("ragged.csv");
  write_text(path, "a,b,c\n1,2,3\n\n4,5\n");
  const std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":4: row has 2 columns, but line 2 has 3"), message);
}

BOOST_AUTO_TEST_CASE(cell_that_is_not_a_number) {
  TempDir dir;
  const std::string path = dir.file("words.csv");
  write_text(path, "a,b\n1,2\n3,x7\n");
  std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":3: column 2: expected a number, found 'x7'"), message);

  write_text(path, "1,2\n3,\n");
  message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":2: column 2: expected a number, found an empty cell"),
             message);
}

BOOST_AUTO_TEST_CASE(labels_must_be_non_negative_integers) {
  TempDir dir;
  const std::string path = dir.file("labels.csv");
  write_text(path, "0,1\n1.5,2\n");
  std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":2: column 1: found label 1.5"), message);

  write_text(path, "0,1\n1,2\n7,-2\n");
  CsvOptions options;
  options.label_column = -1;
  message = error_of<SourceError>([&] { load_csv(path, options); });
  BOOST_TEST(contains(message, path + ":3: column 2: found label -2"), message);

  options.label_column = 5;
  message = error_of<FileError>([&] { load_csv(path, options); });
  BOOST_TEST(contains(message, path + ": label column 5 does not exist: rows have 2 columns"),
             message);
}

BOOST_AUTO_TEST_CASE(text_labels_are_classes_in_sorted_order) {
  TempDir dir;
  const std::string path = dir.file("pets.csv");
  write_text(path, "dog,0.5,1\ncat,2,3\nemu,4,5\ndog,6,7\n");  // no header: a text label
  const Dataset data = load_csv(path);
  BOOST_TEST(data.size() == 4);  // the first line is an example
  BOOST_TEST((data.class_names == std::vector<std::string>{"cat", "dog", "emu"}));
  BOOST_TEST(data.classes == 3);
  BOOST_TEST(data.labels == (std::vector<int>{1, 0, 2, 1}));
  BOOST_TEST(data.inputs(0, 0) == 0.5f);
  BOOST_TEST(data.inputs(1, 3) == 7.0f);

  // With a header, the label last, and the mapping given: the indices are the given ones.
  write_text(path, "x,y,kind\n1,2,emu\n3,4,cat\n");
  CsvOptions options;
  options.label_column = -1;
  options.class_names = {"cat", "dog", "emu"};
  const Dataset mapped = load_csv(path, options);
  BOOST_TEST(mapped.size() == 2);
  BOOST_TEST(mapped.labels == (std::vector<int>{2, 0}));
  BOOST_TEST(mapped.classes == 3);  // dog is a class though no example shows it

  // A label the mapping lacks is refused at its line; so is an empty label.
  write_text(path, "1,2,emu\n3,4,yak\n");
  std::string message = error_of<SourceError>([&] { load_csv(path, options); });
  BOOST_TEST(contains(message, path + ":2: column 3: label 'yak' is not among the 3 classes of "
                                      "the training set (cat, dog, emu)"),
             message);
  write_text(path, "1,2,emu\n3,4,\n");
  message = error_of<SourceError>([&] { load_csv(path, options); });
  BOOST_TEST(contains(message, path + ":2: column 3: the label is an empty cell"), message);
}

BOOST_AUTO_TEST_CASE(number_labels_stay_numbers) {
  TempDir dir;
  const std::string path = dir.file("mixed.csv");
  write_text(path, "1,0.5\ncat,2\n");  // the first label is a number: every label must be one
  const std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":2: column 1: expected a number label like line 1's, "
                                      "found 'cat'"),
             message);
}

BOOST_AUTO_TEST_CASE(the_header_rule) {
  TempDir dir;
  const std::string path = dir.file("h.csv");
  // auto: text over numbers is a header; text over text is data (and refused there).
  write_text(path, "label,a\n1,2\n");
  BOOST_TEST(load_csv(path).size() == 1);
  write_text(path, "label,a\nlabel,b\n");
  std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":1: column 2: expected a number, found 'a'"), message);
  // A first line with a number is data even when other cells are not.
  write_text(path, "0,1,nan\n1,1,2\n");
  message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, path + ":1: column 3: expected a number, found 'nan'"), message);

  // yes: the first line is skipped, whatever it holds; no: it is an example.
  CsvOptions yes;
  yes.header = CsvHeader::yes;
  write_text(path, "7,8\n1,2\n");
  const Dataset skipped = load_csv(path, yes);
  BOOST_TEST(skipped.size() == 1);
  BOOST_TEST(skipped.labels == (std::vector<int>{1}));
  CsvOptions no;
  no.header = CsvHeader::no;
  write_text(path, "label,a\n1,2\n");
  message = error_of<SourceError>([&] { load_csv(path, no); });
  BOOST_TEST(contains(message, path + ":1: column 2: expected a number, found 'a'"), message);

  BOOST_TEST((parse_csv_header("auto") == CsvHeader::automatic));
  BOOST_TEST((parse_csv_header("no") == CsvHeader::no));
  message = error_of<Error>([&] { parse_csv_header("maybe"); });
  BOOST_TEST(contains(message, "unknown CSV header rule 'maybe': expected auto, yes, no"), message);
}

BOOST_AUTO_TEST_CASE(examples_without_a_label) {
  TempDir dir;
  const std::string path = dir.file("x.csv");
  write_text(path, "a,b,c\n1,2,3\n");
  CsvOptions options;
  options.label_column = CsvOptions::none;  // and no target columns: every column is an input
  const Dataset data = load_csv(path, options);
  BOOST_TEST(data.inputs.rows() == 3);
  BOOST_TEST(data.labels.empty());
  BOOST_TEST(data.targets.rows() == 0);
}

BOOST_AUTO_TEST_CASE(empty_and_missing_files) {
  TempDir dir;
  const std::string path = dir.file("empty.csv");
  write_text(path, "");
  BOOST_TEST(contains(error_of<FileError>([&] { load_csv(path); }), path + ": empty file"));
  write_text(path, "a,b\n\n");
  BOOST_TEST(contains(error_of<FileError>([&] { load_csv(path); }), path + ": no rows"));
  const std::string missing = dir.file("missing.csv");
  BOOST_TEST(contains(error_of<FileError>([&] { load_csv(missing); }), missing + ": cannot open"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dataset_operations)

BOOST_AUTO_TEST_CASE(one_of_n_targets) {
  Dataset data = dataset({{0}, {1}, {2}});
  data.labels = {2, 0, 1};
  data.classes = 3;
  encode_targets(data, 3);
  Matrix<float> expected(3, 3);
  expected << -1, 1, -1,  //
      -1, -1, 1,          //
      1, -1, -1;
  BOOST_TEST((data.targets == expected));

  encode_targets(data, 4, 0.0f, 1.0f);  // a test set encoded with the training set's classes
  BOOST_TEST(data.targets.rows() == 4);
  BOOST_TEST(data.classes == 4);
  BOOST_TEST(data.targets(2, 0) == 1.0f);
  BOOST_TEST(data.targets(3, 0) == 0.0f);
  BOOST_TEST(data.targets.sum() == 3.0f);

  data.labels[1] = 3;
  const std::string message = error_of<Error>([&] { encode_targets(data, 3); });
  BOOST_TEST(contains(message, "hand-made: example 2 has label 3, outside 0..2"), message);

  data.labels.clear();
  BOOST_TEST(contains(error_of<Error>([&] { encode_targets(data, 3); }), "no class labels"));
}

// Two classes on one output (Fig. 13-14): class 0 at low, class 1 at high, decided at the midpoint.
BOOST_AUTO_TEST_CASE(single_output_targets) {
  Dataset data = dataset({{0}, {1}, {2}});
  data.labels = {1, 0, 1};
  data.classes = 2;
  encode_targets(data, 2, -0.5f, 1.5f, true);
  Matrix<float> expected(1, 3);
  expected << 1.5f, -0.5f, 1.5f;
  BOOST_TEST((data.targets == expected));
  BOOST_TEST(data.single_output());
  BOOST_TEST(data.single_output_midpoint == 0.5f);
  Vector<float> y(1);
  for (const auto& [value, expected_class] : {std::pair{0.6f, 1}, {0.5f, 0}, {-3.0f, 0}}) {
    y[0] = value;
    BOOST_TEST(predicted_class(y, data) == expected_class, value);
  }
  encode_targets(data, 2);  // back to one-of-N: the argmax again
  BOOST_TEST(!data.single_output());
  BOOST_TEST(data.targets.rows() == 2);
  Vector<float> two(2);
  two << 0.1f, 0.3f;
  BOOST_TEST(predicted_class(two, data) == 1);
  const std::string message = error_of<Error>([&] { encode_targets(data, 3, -1, 1, true); });
  BOOST_TEST(contains(message,
                      "hand-made: target-coding = single puts two classes on one output, "
                      "but the data have 3 classes (use one-of-n)"),
             message);
}

// As many examples as make INT_MAX classes of targets exceed the memory, whatever the machine.
BOOST_AUTO_TEST_CASE(targets_beyond_the_memory_are_refused_before_they_are_allocated) {
  const std::uint64_t classes = std::numeric_limits<int>::max();
  const auto examples = static_cast<int>(memory_limit() / (classes * sizeof(float)) + 1);
  Dataset data = dataset(std::vector<std::vector<float>>(examples, std::vector<float>{0}));
  data.labels.assign(examples, 0);
  const std::string message =
      error_of<Error>([&] { encode_targets(data, static_cast<int>(classes)); });
  BOOST_TEST(contains(message, "hand-made: one-of-N targets for 2147483647 classes and " +
                                   std::to_string(examples) + " examples: needs "),
             message);
  BOOST_TEST(data.targets.size() == 0);
}

BOOST_AUTO_TEST_CASE(a_label_far_beyond_the_examples_is_refused_at_its_line) {
  BOOST_TEST(max_label(200) == 999);
  BOOST_TEST(max_label(60000) == 59999);
  TempDir dir;
  std::string rows;
  for (int i = 0; i < 1500; ++i) rows += std::to_string(i == 9 ? 1500 : i) + ",0.5\n";
  const std::string path = dir.file("l.csv");
  write_text(path, rows);
  const std::string message = error_of<SourceError>([&] { load_csv(path); });
  BOOST_TEST(contains(message, "l.csv:10: column 1: label 1500 is more than 1499"), message);
  rows.replace(rows.find("1500,"), 4, "1499");
  write_text(path, rows);
  BOOST_TEST(load_csv(path).classes == 1500);
}

BOOST_AUTO_TEST_CASE(truncate_keeps_the_first_examples) {
  Dataset data = dataset({{0}, {1}, {2}, {3}});
  data.labels = {0, 1, 2, 0};
  encode_targets(data, 3);
  truncate(data, 2);
  BOOST_TEST(data.size() == 2);
  BOOST_TEST(data.inputs(0, 1) == 1.0f);
  BOOST_TEST(data.targets.cols() == 2);
  BOOST_TEST(data.targets(1, 1) == 1.0f);
  BOOST_TEST(data.labels == (std::vector<int>{0, 1}));
  truncate(data, 10);
  BOOST_TEST(data.size() == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(normalizer)

// Three features over four examples: means 2.5, 7, 5; standard deviations sqrt(1.25), 0, 5.
Dataset hand_made_train() { return dataset({{1, 7, 0}, {2, 7, 10}, {3, 7, 0}, {4, 7, 10}}); }

// The standard deviation of all twelve values about their mean.
double hand_made_global_std() {
  const double values[] = {1, 2, 3, 4, 7, 7, 7, 7, 0, 10, 0, 10};
  double mean = 0, squares = 0;
  for (const double v : values) mean += v / 12;
  for (const double v : values) squares += (v - mean) * (v - mean) / 12;
  return std::sqrt(squares);
}

BOOST_AUTO_TEST_CASE(per_feature_centers_and_scales_the_training_set) {
  Dataset train = hand_made_train();
  Normalizer normalizer;
  normalizer.fit(train, Centering::per_feature, Scaling::per_feature);
  BOOST_TEST(normalizer.mean()(0) == 2.5f);
  BOOST_TEST(normalizer.mean()(1) == 7.0f);
  BOOST_TEST(normalizer.mean()(2) == 5.0f);
  BOOST_TEST(normalizer.scale()(0) == std::sqrt(1.25f), boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(normalizer.scale()(2) == 5.0f, boost::test_tools::tolerance(1e-6f));
  // The constant feature is divided by the global standard deviation, not by ~0.
  BOOST_TEST(normalizer.scale()(1) == hand_made_global_std(), boost::test_tools::tolerance(1e-6));

  normalizer.apply(train);
  const Vector<float> mean = train.inputs.rowwise().mean();
  const Vector<float> variance = train.inputs.array().square().rowwise().mean();
  for (int i = 0; i < 3; ++i) BOOST_TEST(std::abs(mean(i)) < 1e-6f);
  BOOST_TEST(variance(0) == 1.0f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(variance(1) == 0.0f);
  BOOST_TEST(variance(2) == 1.0f, boost::test_tools::tolerance(1e-5f));

  // The test set gets the training set's statistics, not its own.
  Dataset test = dataset({{3, 7, 20}, {3, 8, 20}});
  normalizer.apply(test);
  BOOST_TEST(test.inputs(0, 0) == 0.5f / std::sqrt(1.25f), boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(test.inputs(1, 0) == 0.0f);
  BOOST_TEST(test.inputs(2, 0) == 3.0f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(test.inputs(1, 1) == 1.0 / hand_made_global_std(), boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(global_and_none) {
  Dataset train = hand_made_train();
  Normalizer normalizer;
  normalizer.fit(train, Centering::global, Scaling::global);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(normalizer.mean()(i) == 58.0f / 12, boost::test_tools::tolerance(1e-6f));
    BOOST_TEST(normalizer.scale()(i) == hand_made_global_std(), boost::test_tools::tolerance(1e-6));
  }
  normalizer.apply(train);
  BOOST_TEST(train.inputs.mean() == 0.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(train.inputs.array().square().mean() == 1.0f, boost::test_tools::tolerance(1e-5f));

  Dataset unchanged = hand_made_train();
  normalizer.fit(unchanged, Centering::none, Scaling::none);
  normalizer.apply(unchanged);
  BOOST_TEST((unchanged.inputs == hand_made_train().inputs));
}

BOOST_AUTO_TEST_CASE(constant_data_is_not_blown_up) {
  Dataset data = dataset({{5, 5}, {5, 5}, {5, 5}});
  Normalizer normalizer;
  normalizer.fit(data, Centering::per_feature, Scaling::per_feature);
  BOOST_TEST(normalizer.scale()(0) == 1.0f);
  normalizer.apply(data);
  BOOST_TEST(data.inputs.isZero());
}

BOOST_AUTO_TEST_CASE(mnist_training_set_per_feature) {
  Dataset train = load_idx(kTrainImages, kTrainLabels);
  Normalizer normalizer;
  normalizer.fit(train, Centering::per_feature, Scaling::per_feature);
  normalizer.apply(train);
  BOOST_TEST(train.inputs.allFinite());
  BOOST_TEST(train.inputs.rowwise().mean().cwiseAbs().maxCoeff() < 1e-4f);
  // The always-zero corner pixel stays zero instead of becoming 0/0.
  BOOST_TEST(train.inputs.row(0).isZero());
}

BOOST_AUTO_TEST_CASE(errors) {
  Normalizer normalizer;
  Dataset empty = dataset({});
  std::string message =
      error_of<NumericError>([&] { normalizer.fit(empty, Centering::global, Scaling::global); });
  BOOST_TEST(contains(message, "hand-made: cannot fit the input normalization on an empty"),
             message);

  Dataset nan = hand_made_train();
  nan.inputs(2, 1) = std::numeric_limits<float>::quiet_NaN();
  message = error_of<NumericError>(
      [&] { normalizer.fit(nan, Centering::per_feature, Scaling::per_feature); });
  BOOST_TEST(contains(message, "hand-made: input 3 of example 2 is nan"), message);

  BOOST_TEST(contains(error_of<Error>([&] { normalizer.apply(nan); }), "never fitted"));

  normalizer.fit(hand_made_train(), Centering::per_feature, Scaling::per_feature);
  Dataset narrow = dataset({{1, 2}});
  message = error_of<Error>([&] { normalizer.apply(narrow); });
  BOOST_TEST(contains(message, "hand-made: has 2 input features"), message);
  BOOST_TEST(contains(message, "fitted on 3"), message);
}

BOOST_AUTO_TEST_CASE(parse_modes) {
  BOOST_TEST((parse_centering("none") == Centering::none));
  BOOST_TEST((parse_centering("per-feature") == Centering::per_feature));
  BOOST_TEST((parse_centering("global") == Centering::global));
  BOOST_TEST((parse_scaling("none") == Scaling::none));
  BOOST_TEST((parse_scaling("per-feature") == Scaling::per_feature));
  BOOST_TEST((parse_scaling("global") == Scaling::global));

  std::string message = error_of<Error>([] { parse_centering("per_feature"); });
  BOOST_TEST(contains(message, "unknown centering 'per_feature'"), message);
  BOOST_TEST(contains(message, "expected none, per-feature, global"), message);
  BOOST_TEST(contains(message, "did you mean 'per-feature'?"), message);
  message = error_of<Error>([] { parse_scaling("std"); });
  BOOST_TEST(contains(message, "unknown scaling 'std': expected none, per-feature, global"),
             message);
}

BOOST_AUTO_TEST_SUITE_END()

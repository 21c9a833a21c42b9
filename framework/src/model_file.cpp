// Model files (see model_file.h): the parameter blocks, the input transform and the task as
// sections of an Archive, and the reader of the parameters-only weights files of earlier versions.
#include "ebprop/model_file.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop {

namespace {

const char legacy_magic[] = "EBPROPW1";

struct StoredBlock {
  std::uint32_t rows = 0, cols = 0;
  std::vector<double> values;
};
using StoredBlocks = std::map<std::string, StoredBlock>;

// Throws NumericError when one of the `count` values of the parameter `name` is NaN or infinite,
// or too large for the training precision T: a model holds only usable weights, and a non-finite
// one is never reported as divergence. `context` begins the message.
template <typename T, typename V>
void refuse_non_finite(const std::string& name, const V* values, std::int64_t count,
                       const std::string& context) {
  for (std::int64_t i = 0; i < count; ++i) {
    if (std::isfinite(static_cast<T>(values[i]))) continue;
    std::ostringstream value;
    value << values[i];
    throw NumericError(context + ": parameter '" + name + "' value " + std::to_string(i) +
                       " (counted from 0) is " +
                       (std::isnan(values[i])   ? std::string("NaN")
                        : std::isinf(values[i]) ? std::string("infinite")
                                                : value.str() + ", too large for " +
                                                      (sizeof(T) == 4 ? "float" : "double")));
  }
}

// Checks the stored blocks against the store (every difference listed, then every value), and
// only then copies them in: `params` is unchanged on any error. `what` names the file.
template <typename T>
void assign_blocks(const StoredBlocks& stored, ParameterStore<T>& params, const std::string& what) {
  std::vector<std::string> problems;
  for (const auto& block : params.blocks()) {
    const auto it = stored.find(block.name);
    if (it == stored.end())
      problems.push_back("'" + block.name + "' is missing from the file");
    else if (it->second.rows != static_cast<std::uint32_t>(block.rows) ||
             it->second.cols != static_cast<std::uint32_t>(block.cols))
      problems.push_back("'" + block.name + "' is " + std::to_string(it->second.rows) + "x" +
                         std::to_string(it->second.cols) + " in the file but " +
                         std::to_string(block.rows) + "x" + std::to_string(block.cols) +
                         " in the graph");
  }
  for (const auto& [name, block] : stored)
    if (params.find(name) == nullptr) problems.push_back("'" + name + "' is not in the graph");
  if (!problems.empty())
    throw FileError(what + " does not match the graph: " + join(problems, "; "));

  for (const auto& block : params.blocks())
    refuse_non_finite<T>(block.name, stored.at(block.name).values.data(), block.size(), what);
  for (const auto& block : params.blocks()) {
    const auto& values = stored.at(block.name).values;
    for (std::int64_t i = 0; i < block.size(); ++i)
      params.w()[block.offset + i] = static_cast<T>(values[i]);
  }
}

// The blocks of an EBPROPW1 weights file (its format: model_file.h).
StoredBlocks read_legacy_blocks(const std::string& bytes, const std::string& path) {
  const std::string what = "weights file '" + path + "'";
  if (bytes.size() < 16) throw FileError(what + " is truncated");
  const std::size_t body = bytes.size() - 4;
  const std::string content = bytes.substr(0, body), stored_crc = bytes.substr(body);
  if (ByteReader(stored_crc, what).u32() !=
      static_cast<std::uint32_t>(
          crc32(0L, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(body))))
    throw FileError(what + " is corrupt (checksum mismatch)");
  ByteReader in(content, what);
  in.raw(8);
  StoredBlocks stored;
  const std::uint32_t count = in.u32();
  for (std::uint32_t b = 0; b < count; ++b) {
    const std::string name = in.raw(in.u32());
    StoredBlock block;
    block.rows = in.u32();
    block.cols = in.u32();
    const std::uint64_t n = static_cast<std::uint64_t>(block.rows) * block.cols;
    if (n > body / 8) throw FileError(what + " is truncated");  // before allocating
    block.values.resize(n);
    for (auto& v : block.values) v = in.f64();
    stored[name] = std::move(block);
  }
  if (!in.done()) throw FileError(what + " has trailing data");
  return stored;
}

// "model 'run.model', section task", for the messages of a section's reader.
std::string section_name(const Archive& archive, const std::string& section) {
  return archive.kind() + (archive.path().empty() ? "" : " '" + archive.path() + "'") +
         ", section " + section;
}

// "model 'run.model'", for messages about the whole model.
std::string archive_name(const Archive& archive) {
  return archive.kind() + (archive.path().empty() ? "" : " '" + archive.path() + "'");
}

std::string parameters_section(const StoredBlocks& blocks) {
  ByteWriter out;
  out.u32(static_cast<std::uint32_t>(blocks.size()));
  for (const auto& [name, block] : blocks) {
    out.text(name);
    out.u32(block.rows);
    out.u32(block.cols);
    out.f64s(block.values);
  }
  return out.bytes();
}

StoredBlocks read_parameters(const Archive& archive) {
  ByteReader in(archive.get("parameters"), section_name(archive, "parameters"));
  StoredBlocks stored;
  const std::uint32_t count = in.u32();
  for (std::uint32_t b = 0; b < count; ++b) {
    const std::string name = in.text();
    StoredBlock block;
    block.rows = in.u32();
    block.cols = in.u32();
    block.values = in.f64s();
    if (block.values.size() != static_cast<std::uint64_t>(block.rows) * block.cols)
      throw FileError(section_name(archive, "parameters") + ": block '" + name + "' is " +
                      std::to_string(block.rows) + "x" + std::to_string(block.cols) +
                      " but holds " + std::to_string(block.values.size()) + " values");
    if (!stored.emplace(name, std::move(block)).second)
      throw FileError(section_name(archive, "parameters") + ": block '" + name + "' appears twice");
  }
  in.expect_done();
  return stored;
}

std::string transform_section(const ModelInfo& info) {
  ByteWriter out;
  out.text(data::mode_name(info.transform.centering()));
  out.text(data::mode_name(info.transform.scaling()));
  out.u32(static_cast<std::uint32_t>(info.input_shape.size()));
  for (int d : info.input_shape) out.u64(static_cast<std::uint64_t>(d));
  const auto doubles = [](const Vector<float>& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  out.f64s(doubles(info.transform.mean()));
  out.f64s(doubles(info.transform.scale()));
  return out.bytes();
}

// Reads the transform section into `info`.
void read_transform(const Archive& archive, ModelInfo& info) {
  const std::string what = section_name(archive, "transform");
  ByteReader in(archive.get("transform"), what);
  try {
    const data::Centering centering = data::parse_centering(in.text());
    const data::Scaling scaling = data::parse_scaling(in.text());
    const std::uint32_t rank = in.u32();
    if (rank > 8) throw FileError(what + ": an input shape of rank " + std::to_string(rank));
    info.input_shape.clear();
    for (std::uint32_t d = 0; d < rank; ++d) {
      const std::uint64_t n = in.u64();
      if (n < 1 || n > static_cast<std::uint64_t>(max_size))
        throw FileError(what + ": input dimension " + std::to_string(n));
      info.input_shape.push_back(static_cast<int>(n));
    }
    const auto floats = [](const std::vector<double>& v) {
      Vector<float> out(static_cast<Eigen::Index>(v.size()));
      for (std::size_t i = 0; i < v.size(); ++i)
        out(static_cast<Eigen::Index>(i)) = static_cast<float>(v[i]);
      return out;
    };
    Vector<float> mean = floats(in.f64s()), scale = floats(in.f64s());
    in.expect_done();
    if (shape_size_64(info.input_shape) != mean.size())
      throw FileError(what + ": the input shape " + shape_str(info.input_shape) + " has " +
                      std::to_string(shape_size_64(info.input_shape)) + " values but there are " +
                      std::to_string(mean.size()) + " means");
    info.transform =
        data::Normalizer::fitted(centering, scaling, std::move(mean), std::move(scale), what);
  } catch (const FileError&) {
    throw;
  } catch (const Error& e) {  // a word or a value no writer writes
    throw FileError(std::string(e.what()).rfind(what, 0) == 0 ? e.what() : what + ": " + e.what());
  }
}

std::string decorrelation_section(const data::Decorrelator& d) {
  ByteWriter out;
  out.text(data::mode_name(d.mode()));
  if (d.mode() == data::Decorrelation::none) return out.bytes();
  const auto doubles = [](const auto& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  out.u32(static_cast<std::uint32_t>(d.options().components));
  out.f64(d.options().variance);
  out.f64(d.options().epsilon);
  out.f64s(doubles(d.mean()));
  out.f64s(doubles(d.eigenvalues()));
  out.u32(static_cast<std::uint32_t>(d.eigenvectors().cols()));
  out.f64s(doubles(d.eigenvectors()));
  return out.bytes();
}

// Reads the decorrelation section into `info`. Without one (a checkpoint or a version 1 model,
// written before it existed) there is none, unless it is `required` (Archive::get refuses).
void read_decorrelation(const Archive& archive, ModelInfo& info, bool required) {
  info.decorrelation = data::Decorrelator();
  if (!required && !archive.has("decorrelation")) return;
  const std::string what = section_name(archive, "decorrelation");
  ByteReader in(archive.get("decorrelation"), what);
  try {
    data::DecorrelationOptions options;
    options.mode = data::parse_decorrelation(in.text());
    Eigen::VectorXd mean, eigenvalues;
    Eigen::MatrixXd eigenvectors;
    if (options.mode != data::Decorrelation::none) {
      const std::uint32_t components = in.u32();
      if (components > static_cast<std::uint32_t>(max_size))
        throw FileError(what + ": components = " + std::to_string(components));
      options.components = static_cast<int>(components);
      options.variance = in.f64();
      options.epsilon = in.f64();
      const std::vector<double> m = in.f64s(), lambda = in.f64s();
      const std::uint32_t kept = in.u32();
      const std::vector<double> u = in.f64s();
      if (kept == 0 || u.size() != static_cast<std::uint64_t>(m.size()) * kept)
        throw FileError(what + ": " + std::to_string(kept) + " eigenvectors of " +
                        std::to_string(m.size()) + " values need " +
                        std::to_string(static_cast<std::uint64_t>(m.size()) * kept) +
                        " values, but there are " + std::to_string(u.size()));
      const auto n = static_cast<Eigen::Index>(m.size());
      mean = Eigen::Map<const Eigen::VectorXd>(m.data(), n);
      eigenvalues = Eigen::Map<const Eigen::VectorXd>(lambda.data(),
                                                      static_cast<Eigen::Index>(lambda.size()));
      eigenvectors = Eigen::Map<const Eigen::MatrixXd>(u.data(), n, kept);
    }
    in.expect_done();
    info.decorrelation = data::Decorrelator::fitted(
        options, std::move(mean), std::move(eigenvalues), std::move(eigenvectors), what);
  } catch (const FileError&) {
    throw;
  } catch (const Error& e) {  // a word or a value no writer writes
    throw FileError(std::string(e.what()).rfind(what, 0) == 0 ? e.what() : what + ": " + e.what());
  }
  if (info.decorrelation.mode() != data::Decorrelation::none &&
      info.decorrelation.inputs() != info.transform.features())
    throw FileError(
        what + ": the decorrelation is fitted on " + std::to_string(info.decorrelation.inputs()) +
        " features, but the input transform has " + std::to_string(info.transform.features()));
}

std::string task_section(const ModelInfo& info) {
  ByteWriter out;
  out.u32(static_cast<std::uint32_t>(info.classes));
  out.u32(static_cast<std::uint32_t>(info.class_names.size()));
  for (const auto& name : info.class_names) out.text(name);
  out.u32(static_cast<std::uint32_t>(info.target_columns));
  out.f64(info.target_low);
  out.f64(info.target_high);
  if (info.single_output) out.u32(1);
  return out.bytes();
}

void read_task(const Archive& archive, ModelInfo& info) {
  const std::string what = section_name(archive, "task");
  ByteReader in(archive.get("task"), what);
  const std::uint32_t classes = in.u32();
  const std::uint32_t names = in.u32();
  if (names != 0 && names != classes)
    throw FileError(what + ": " + std::to_string(names) + " class names for " +
                    std::to_string(classes) + " classes");
  info.class_names.clear();
  for (std::uint32_t k = 0; k < names; ++k) info.class_names.push_back(in.text());
  if (!std::is_sorted(info.class_names.begin(), info.class_names.end()) ||
      std::adjacent_find(info.class_names.begin(), info.class_names.end()) !=
          info.class_names.end())
    throw FileError(what + ": the class names are not distinct and sorted");
  const std::uint32_t targets = in.u32();
  info.target_low = in.f64();
  info.target_high = in.f64();
  info.single_output = !in.done();
  if (info.single_output && (in.u32() != 1 || classes != 2))
    throw FileError(what + ": the single-output coding is for two classes and is written as 1");
  in.expect_done();
  if ((classes == 0) == (targets == 0) || classes > static_cast<std::uint32_t>(max_size) ||
      targets > static_cast<std::uint32_t>(max_size))
    throw FileError(what + ": " + std::to_string(classes) + " classes and " +
                    std::to_string(targets) +
                    " target columns; a model has classes or target columns");
  if (!std::isfinite(info.target_low) || !std::isfinite(info.target_high))
    throw FileError(what + ": non-finite target-low or target-high");
  info.classes = static_cast<int>(classes);
  info.target_columns = static_cast<int>(targets);
}

// put_model, with `what` beginning every message.
template <typename T>
void put_sections(Archive& archive, const ParameterStore<T>& params, const ModelInfo& info,
                  const std::string& what) {
  if (info.transform.features() == 0 ||
      shape_size_64(info.input_shape) != info.transform.features())
    throw Error(what + ": the input transform is not fitted to inputs of shape " +
                shape_str(info.input_shape));
  if (info.decorrelation.mode() != data::Decorrelation::none &&
      info.decorrelation.inputs() != info.transform.features())
    throw Error(what + ": the decorrelation is fitted on " +
                std::to_string(info.decorrelation.inputs()) + " features, not the " +
                std::to_string(info.transform.features()) + " of the input transform");
  if (info.regression() == (info.classes > 0) ||
      (!info.class_names.empty() &&
       info.class_names.size() != static_cast<std::size_t>(info.classes)))
    throw Error(what + ": the task is neither classes (with a name for each) nor a regression");
  StoredBlocks blocks;
  for (const auto& block : params.blocks()) {
    const T* values = params.w().data() + block.offset;
    refuse_non_finite<T>(block.name, values, block.size(), what);
    StoredBlock& stored = blocks[block.name];
    stored.rows = static_cast<std::uint32_t>(block.rows);
    stored.cols = static_cast<std::uint32_t>(block.cols);
    stored.values.assign(values, values + block.size());
  }
  archive.put("parameters", parameters_section(blocks));
  archive.put("transform", transform_section(info));
  archive.put("decorrelation", decorrelation_section(info.decorrelation));
  archive.put("task", task_section(info));
}

}  // namespace

std::string ModelInfo::class_name(int k) const {
  return class_names.empty() ? std::to_string(k) : class_names.at(static_cast<std::size_t>(k));
}

void ModelInfo::apply_transform(data::Dataset& data) const {
  transform.apply(data);
  decorrelation.apply(data);
}

template <typename T>
void put_model(Archive& archive, const ParameterStore<T>& params, const ModelInfo& info) {
  put_sections(archive, params, info, "cannot save the model");
}

namespace {

// get_model, requiring the decorrelation section or not.
template <typename T>
ModelInfo get_sections(const Archive& archive, ParameterStore<T>& params,
                       bool decorrelation_required) {
  ModelInfo info;
  const StoredBlocks stored = read_parameters(archive);
  read_transform(archive, info);
  read_decorrelation(archive, info, decorrelation_required);
  read_task(archive, info);
  assign_blocks(stored, params, archive_name(archive));
  return info;
}

}  // namespace

template <typename T>
ModelInfo get_model(const Archive& archive, ParameterStore<T>& params) {
  return get_sections(archive, params, false);
}

template <typename T>
void save_model(const std::string& path, const ParameterStore<T>& params, const ModelInfo& info) {
  Archive archive("model", model_version);
  put_sections(archive, params, info, "cannot save the model to '" + path + "'");
  archive.write(path);
}

template <typename T>
std::optional<ModelInfo> load_model(const std::string& path, ParameterStore<T>& params) {
  const std::string bytes = read_whole_file(path, "model file");
  if (bytes.size() >= 8 && bytes.compare(0, 8, legacy_magic, 8) == 0) {
    assign_blocks(read_legacy_blocks(bytes, path), params, "weights file '" + path + "'");
    return std::nullopt;
  }
  const Archive archive = Archive::decode(bytes, path, "model", "an ebprop model file");
  if (archive.version() != model_version && archive.version() != 1)
    throw FileError("model file '" + path + "' is of version " + std::to_string(archive.version()) +
                    "; this build reads versions 1 and " + std::to_string(model_version));
  // Version 1 came before the decorrelation; version 2 always has the section.
  return get_sections(archive, params, archive.version() == model_version);
}

template void put_model(Archive&, const ParameterStore<float>&, const ModelInfo&);
template void put_model(Archive&, const ParameterStore<double>&, const ModelInfo&);
template ModelInfo get_model(const Archive&, ParameterStore<float>&);
template ModelInfo get_model(const Archive&, ParameterStore<double>&);
template void save_model(const std::string&, const ParameterStore<float>&, const ModelInfo&);
template void save_model(const std::string&, const ParameterStore<double>&, const ModelInfo&);
template std::optional<ModelInfo> load_model(const std::string&, ParameterStore<float>&);
template std::optional<ModelInfo> load_model(const std::string&, ParameterStore<double>&);

}  // namespace ebprop

#include "ebprop/checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "ebprop/archive.h"
#include "ebprop/error.h"

namespace ebprop {

namespace {

// Version 2 added the section "presentation" (the examples' losses of emphasizing, §4.2);
// version 1 files, without it, are read as runs that kept none.
const std::uint32_t format_version = 2;
const std::uint32_t oldest_version = 1;
const char kind[] = "checkpoint";
const char description[] = "an ebprop checkpoint";

void put_vectors(ByteWriter& out, const OptimizerState& state) {
  out.u64(state.size());
  for (const auto& [name, values] : state) {
    out.text(name);
    out.f64s(std::vector<double>(values.data(), values.data() + values.size()));
  }
}

OptimizerState get_vectors(ByteReader& in) {
  OptimizerState state;
  const std::uint64_t count = in.u64();
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string name = in.text();
    const std::vector<double> values = in.f64s();
    state[name] = Eigen::Map<const Vector<double>>(values.data(), values.size());
  }
  return state;
}

void put_ints(ByteWriter& out, const std::vector<int>& values) {
  out.u64(values.size());
  for (int v : values) out.i64(v);
}

std::vector<int> get_ints(ByteReader& in) {
  const std::uint64_t count = in.u64();
  std::vector<int> values;
  for (std::uint64_t i = 0; i < count; ++i) values.push_back(static_cast<int>(in.i64()));
  return values;
}

void put_step(ByteWriter& out, const StepResult& r) {
  out.f64(r.loss);
  out.f64(r.new_loss);
  out.f64(r.grad_norm);
  out.f64(r.step);
  out.text(r.stop);
  out.text(r.notice);
}

StepResult get_step(ByteReader& in) {
  StepResult r;
  r.loss = in.f64();
  r.new_loss = in.f64();
  r.grad_norm = in.f64();
  r.step = in.f64();
  r.stop = in.text();
  r.notice = in.text();
  return r;
}

std::string encode_identity(const RunIdentity& identity) {
  ByteWriter out;
  out.u64(identity.graph.size());
  for (const auto& line : identity.graph) out.text(line);
  out.u64(identity.settings.size());
  for (const auto& [key, value] : identity.settings) {
    out.text(key);
    out.text(value);
  }
  out.text(identity.data);
  return out.bytes();
}

RunIdentity decode_identity(ByteReader& in) {
  RunIdentity identity;
  const std::uint64_t lines = in.u64();
  for (std::uint64_t i = 0; i < lines; ++i) identity.graph.push_back(in.text());
  const std::uint64_t settings = in.u64();
  for (std::uint64_t i = 0; i < settings; ++i) {
    std::string key = in.text();
    identity.settings[key] = in.text();
  }
  identity.data = in.text();
  return identity;
}

std::string encode_trainer(const TrainerState& s) {
  ByteWriter out;
  out.i64(s.epoch);
  out.u32(s.in_epoch ? 1 : 0);
  const EpochProgress& p = s.progress;
  out.i64(p.next);
  out.i64(p.examples);
  out.f64(p.loss_sum);
  out.i64(p.errors);
  out.i64(p.window_start);
  out.f64(p.window_loss);
  out.f64(p.rate);
  out.f64s(p.loss_sums);
  put_ints(out, p.predicted);
  put_step(out, p.last_step);
  put_ints(out, s.order);
  put_ints(out, s.sample);
  out.i64(s.seen);
  out.i64(s.steps);
  out.i64(s.iterations);
  out.f64(s.starting_loss);
  out.text(s.shuffling);
  out.text(s.sampling);
  const EvaluationCounts& c = s.counts;
  for (std::int64_t v : {c.values, c.gradients, c.curvatures, c.hessian_vectors,
                         c.gauss_newton_vectors, c.matrices, c.examples})
    out.i64(v);
  return out.bytes();
}

TrainerState decode_trainer(ByteReader& in) {
  TrainerState s;
  s.epoch = static_cast<int>(in.i64());
  s.in_epoch = in.u32() != 0;
  EpochProgress& p = s.progress;
  p.next = static_cast<int>(in.i64());
  p.examples = static_cast<int>(in.i64());
  p.loss_sum = in.f64();
  p.errors = static_cast<int>(in.i64());
  p.window_start = static_cast<int>(in.i64());
  p.window_loss = in.f64();
  p.rate = in.f64();
  p.loss_sums = in.f64s();
  p.predicted = get_ints(in);
  p.last_step = get_step(in);
  s.order = get_ints(in);
  s.sample = get_ints(in);
  s.seen = in.i64();
  s.steps = in.i64();
  s.iterations = in.i64();
  s.starting_loss = in.f64();
  s.shuffling = in.text();
  s.sampling = in.text();
  EvaluationCounts& c = s.counts;
  for (std::int64_t* v : {&c.values, &c.gradients, &c.curvatures, &c.hessian_vectors,
                          &c.gauss_newton_vectors, &c.matrices, &c.examples})
    *v = in.i64();
  return s;
}

std::uint32_t crc_of(std::uint32_t crc, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const Bytef*>(data);
  while (bytes > 0) {  // zlib takes at most a uInt per call
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes, 1u << 30));
    crc = static_cast<std::uint32_t>(crc32(crc, p, chunk));
    p += chunk;
    bytes -= chunk;
  }
  return crc;
}

}  // namespace

template <typename T>
std::vector<std::string> graph_structure(const GraphSpec& spec, const Graph<T>& graph) {
  std::vector<std::string> lines;
  for (const auto& node : spec.nodes) {
    std::string line = "node " + node.name + ": " + node.type;
    for (std::size_t i = 0; i < node.inputs.size(); ++i)
      line += (i == 0 ? " <- " : ", ") + node.inputs[i];
    for (const auto& [key, value] : node.settings) line += " " + key + "=" + value.value;
    const int index = graph.find(node.name);
    if (index >= 0) line += "; output " + shape_str(graph.nodes()[index].state.shape);
    lines.push_back(line);
  }
  for (const auto& block : graph.parameters().blocks())
    lines.push_back("parameter " + block.name + " " + std::to_string(block.rows) + "x" +
                    std::to_string(block.cols) +
                    (block.users > 1 ? " shared by " + std::to_string(block.users) : ""));
  return lines;
}

std::string data_fingerprint(const data::Dataset& train) {
  std::uint32_t crc = 0;
  crc = crc_of(crc, train.inputs.data(), sizeof(float) * train.inputs.size());
  crc = crc_of(crc, train.targets.data(), sizeof(float) * train.targets.size());
  crc = crc_of(crc, train.labels.data(), sizeof(int) * train.labels.size());
  std::ostringstream text;
  text << train.size() << " examples × " << train.inputs.rows() << " features, " << train.classes
       << " classes, CRC-32 0x" << std::hex << crc;
  return text.str();
}

std::vector<std::string> identity_differences(const RunIdentity& saved, const RunIdentity& now) {
  std::vector<std::string> differences;
  const std::set<std::string> saved_lines(saved.graph.begin(), saved.graph.end());
  const std::set<std::string> now_lines(now.graph.begin(), now.graph.end());
  for (const auto& line : saved.graph)
    if (!now_lines.count(line))
      differences.push_back("graph: the checkpoint has '" + line + "', this graph does not");
  for (const auto& line : now.graph)
    if (!saved_lines.count(line))
      differences.push_back("graph: this graph has '" + line + "', the checkpoint does not");
  std::set<std::string> keys;
  for (const auto& entry : saved.settings) keys.insert(entry.first);
  for (const auto& entry : now.settings) keys.insert(entry.first);
  for (const auto& key : keys) {
    const auto a = saved.settings.find(key);
    const auto b = now.settings.find(key);
    const std::string before = a == saved.settings.end() ? "not set" : "'" + a->second + "'";
    const std::string after = b == now.settings.end() ? "not set" : "'" + b->second + "'";
    if (before != after)
      differences.push_back("setting " + key + ": " + before + " in the checkpoint, " + after +
                            " now");
  }
  if (saved.data != now.data)
    differences.push_back("training data: " + saved.data + " in the checkpoint, " + now.data +
                          " now");
  return differences;
}

template <typename T>
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                      const ParameterStore<T>& params, const ModelInfo& model) {
  Archive archive(kind, format_version);
  put_model(archive, params, model);
  archive.put("identity", encode_identity(checkpoint.identity));
  ByteWriter optimizer;
  put_vectors(optimizer, checkpoint.optimizer);
  archive.put("optimizer", optimizer.bytes());
  archive.put("trainer", encode_trainer(checkpoint.trainer));
  ByteWriter presentation;
  presentation.f64s(checkpoint.trainer.example_losses);
  archive.put("presentation", presentation.bytes());
  archive.put("run", checkpoint.run);
  archive.write(path);
}

CheckpointFile read_checkpoint(const std::string& path) {
  CheckpointFile file{{}, Archive::read(path, kind, description)};
  const Archive& archive = file.archive;
  if (archive.version() < oldest_version || archive.version() > format_version)
    throw FileError("checkpoint '" + path + "' is in format version " +
                    std::to_string(archive.version()) + "; this ebprop reads versions " +
                    std::to_string(oldest_version) + " to " + std::to_string(format_version));
  const auto reader = [&](const std::string& section) {
    return ByteReader(archive.get(section), "checkpoint '" + path + "', section " + section);
  };
  Checkpoint& checkpoint = file.checkpoint;
  ByteReader identity = reader("identity");
  checkpoint.identity = decode_identity(identity);
  identity.expect_done();
  ByteReader optimizer = reader("optimizer");
  checkpoint.optimizer = get_vectors(optimizer);
  optimizer.expect_done();
  ByteReader trainer = reader("trainer");
  checkpoint.trainer = decode_trainer(trainer);
  trainer.expect_done();
  if (archive.version() >= 2) {
    ByteReader presentation = reader("presentation");
    checkpoint.trainer.example_losses = presentation.f64s();
    presentation.expect_done();
  }
  checkpoint.run = archive.get("run");
  return file;
}

template std::vector<std::string> graph_structure(const GraphSpec&, const Graph<float>&);
template std::vector<std::string> graph_structure(const GraphSpec&, const Graph<double>&);
template void write_checkpoint(const std::string&, const Checkpoint&, const ParameterStore<float>&,
                               const ModelInfo&);
template void write_checkpoint(const std::string&, const Checkpoint&, const ParameterStore<double>&,
                               const ModelInfo&);

}  // namespace ebprop

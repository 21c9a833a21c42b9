#include "resume.h"

#include <ebprop/archive.h>
#include <ebprop/error.h>

#include <set>

namespace ebprop::run {

std::string RunRecord::encode() const {
  ByteWriter out;
  out.i64(epochs_done);
  out.i64(iteration);
  out.u64(notices.size());
  for (const auto& notice : notices) out.text(notice);
  out.text(metrics_json);
  out.text(metrics_csv);
  out.f64(first_train_loss);
  out.i64(early.best_epoch);
  out.f64(early.best_loss);
  out.f64(early.best_error);
  out.i64(early.since_best);
  out.text(finished);
  return out.bytes();
}

RunRecord RunRecord::decode(const std::string& bytes, const std::string& what) {
  ByteReader in(bytes, what);
  RunRecord record;
  record.epochs_done = static_cast<int>(in.i64());
  record.iteration = in.i64();
  const std::uint64_t notices = in.u64();
  for (std::uint64_t i = 0; i < notices; ++i) record.notices.insert(in.text());
  record.metrics_json = in.text();
  record.metrics_csv = in.text();
  record.first_train_loss = in.f64();
  record.early.best_epoch = static_cast<int>(in.i64());
  record.early.best_loss = in.f64();
  record.early.best_error = in.f64();
  record.early.since_best = static_cast<int>(in.i64());
  record.finished = in.text();
  in.expect_done();
  return record;
}

void RunRecord::add_metrics(const EpochReport& r) {
  if (metrics_csv.empty()) metrics_csv = metrics_header(MetricsFormat::csv, r.loss_names);
  metrics_json += metrics_record(r, MetricsFormat::json_lines);
  metrics_csv += metrics_record(r, MetricsFormat::csv);
}

std::string RunRecord::metrics(MetricsFormat format) const {
  return format == MetricsFormat::csv ? metrics_csv : metrics_json;
}

bool free_on_resume(const std::string& key) {
  static const std::set<std::string> free = {
      "run.epochs",       "run.threads",       "run.reproducible",  "data.test-images",
      "data.test-labels", "data.test-targets", "data.test-csv",     "data.test-limit",
      "data.dir",         "data.train-images", "data.train-labels", "data.train-targets",
      "data.train-csv"};
  return free.count(key) != 0;
}

void add_keys_added_since(RunIdentity& saved) {
  const auto add = [&](const std::string& prefix, const std::vector<SettingSpec>& schema,
                       const char* section) {
    for (const auto& [key, value] : Settings::validate(schema, {}, section, {}).texts())
      if (!free_on_resume(prefix + key)) saved.settings.emplace(prefix + key, value);
  };
  add("run.", tools::run_settings(), "[run]");
  add("data.", tools::data_settings(), "[data]");
}

template <typename T>
RunIdentity run_identity(const GraphSpec& spec, const Graph<T>& graph,
                         const tools::RunConfig& config, const data::Dataset& train) {
  RunIdentity identity;
  identity.graph = graph_structure(spec, graph);
  const auto add = [&](const std::string& prefix, const Settings& settings) {
    for (const auto& [key, value] : settings.texts())
      if (!free_on_resume(prefix + key)) identity.settings[prefix + key] = value;
  };
  add("run.", config.run);
  add("data.", config.data);
  identity.settings["optimizer"] = config.optimizer;
  add("optimizer.", config.optimizer_settings);
  identity.data = data_fingerprint(train);
  return identity;
}

template RunIdentity run_identity(const GraphSpec&, const Graph<float>&, const tools::RunConfig&,
                                  const data::Dataset&);
template RunIdentity run_identity(const GraphSpec&, const Graph<double>&, const tools::RunConfig&,
                                  const data::Dataset&);

}  // namespace ebprop::run

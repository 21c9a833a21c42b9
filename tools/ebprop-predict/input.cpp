#include "input.h"

#include <ebprop/data/csv.h>
#include <ebprop/data/finite.h>
#include <ebprop/data/idx.h>

#include <fstream>

namespace ebprop::predict {
namespace {

bool looks_like_idx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char first[2] = {0xff, 0xff};
  in.read(reinterpret_cast<char*>(first), 2);
  return (first[0] == 0 && first[1] == 0) || (first[0] == 0x1f && first[1] == 0x8b);
}

// An IDX file of examples without labels.
data::Dataset load_idx_examples(const std::string& path) {
  data::IdxArray array = data::read_idx(path);
  if (array.dims.size() < 2)
    throw FileError(path + ": expected examples (N x d1 x ...), found a 1-dimensional IDX array " +
                    "of " + std::to_string(array.dims[0]) + " values (a labels file?)");
  data::Dataset data;
  data.name = path;
  data.input_shape.assign(array.dims.begin() + 1, array.dims.end());
  const int examples = array.dims[0];
  const auto features = static_cast<Eigen::Index>(array.values.size() / examples);
  data.inputs = Eigen::Map<const Matrix<float>>(array.values.data(), features, examples);
  return data;
}

}  // namespace

data::Dataset load_input(const CommandLine& cli, const tools::LoadedModel& model) {
  const ModelInfo& info = model.info;
  const bool idx = looks_like_idx(cli.input);
  const bool labelled = !cli.labels.empty() || cli.label_column.has_value();
  if (labelled && info.regression())
    throw tools::CommandLineError(std::string(cli.labels.empty() ? "--label-column" : "--labels") +
                                  ": the model '" + model.path + "' is a regression on " +
                                  std::to_string(info.target_columns) +
                                  " target columns: its examples have no labels");
  if (idx && cli.label_column)
    throw tools::CommandLineError("--label-column is for a CSV input, but '" + cli.input +
                                  "' is an IDX file (give its labels with --labels)");
  if (!idx && !cli.labels.empty())
    throw tools::CommandLineError("--labels is for an IDX input, but '" + cli.input +
                                  "' is a CSV file (give its label column with --label-column)");

  data::Dataset data;
  if (idx) {
    data = labelled ? data::load_idx(cli.input, cli.labels) : load_idx_examples(cli.input);
  } else {
    data::CsvOptions csv;
    csv.label_column = cli.label_column.value_or(data::CsvOptions::none);
    csv.header = data::parse_csv_header(cli.header);
    if (labelled) csv.class_names = info.class_names;
    data = data::load_csv(cli.input, csv);
    if (info.class_names.empty() && !data.class_names.empty())
      throw Error(cli.input + ": the labels are text (" + data.class_names.front() +
                  ", ...), but the model '" + model.path + "' was trained on number labels");
  }
  data::require_finite(data);
  if (data.inputs.rows() != info.transform.features())
    throw Error(cli.input + ": an example has " + std::to_string(data.inputs.rows()) +
                " input values, but the model '" + model.path + "' was trained on " +
                std::to_string(info.transform.features()) + " (" + shape_str(info.input_shape) +
                ")");
  info.apply_transform(data);
  if (labelled) {
    data::encode_targets(data, info.classes, static_cast<float>(info.target_low),
                         static_cast<float>(info.target_high), info.single_output);
  } else {
    data.targets = Matrix<float>::Zero(info.outputs(), data.size());
    if (info.single_output)
      data.single_output_midpoint = static_cast<float>((info.target_low + info.target_high) / 2);
  }
  return data;
}

}  // namespace ebprop::predict

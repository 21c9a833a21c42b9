#include "curves.h"

#include <ebprop/error.h>

#include <algorithm>
#include <cmath>

namespace ebprop::plot {

namespace {

// The series of `quantity` (loss or error) of each set that has a number of it.
std::vector<Series> series_of(const Table& table, const std::vector<double>& epochs,
                              const std::string& quantity) {
  std::vector<Series> series;
  for (const char* set : {"train", "validation", "test"}) {
    const std::string name = std::string(set) + "_" + quantity;
    if (!table.has(name)) continue;
    std::vector<double> values = table.column(name);
    if (std::none_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
      continue;
    series.push_back({set, epochs, std::move(values)});
  }
  return series;
}

}  // namespace

std::vector<Chart> learning_curves(const Table& table, const std::string& title, bool log_epochs,
                                   bool log_loss) {
  const std::vector<double> epochs = table.column("epoch");
  Chart loss;
  loss.title = title.empty() ? "loss" : title;
  loss.x_label = "epoch";
  loss.y_label = "loss";
  loss.log_x = log_epochs;
  loss.log_y = log_loss;
  loss.series = series_of(table, epochs, "loss");
  if (loss.series.empty())
    throw Error(table.file +
                " has no train_loss, validation_loss or test_loss with a number to draw");
  std::vector<Chart> charts{loss};
  Chart error;
  error.title = "error";
  error.x_label = "epoch";
  error.y_label = "error (%)";
  error.log_x = log_epochs;
  error.series = series_of(table, epochs, "error");
  if (!error.series.empty()) charts.push_back(error);
  return charts;
}

}  // namespace ebprop::plot

// A minimal SVG chart: line series against a shared x axis, or a histogram, with linear or
// logarithmic axes, ticks and labels, alone or as panels of one document. Enough for the paper's
// figures and learning curves; no dependencies.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ebprop::plot {

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length; non-finite points are skipped
};

struct Chart {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
  bool bars = false;  // draw the (single) series as histogram bars of width bar_width
  double bar_width = 0;
};

// The SVG document. Throws ebprop::Error when there is nothing to draw, or when a log axis meets
// a value <= 0.
std::string render(const Chart& chart);

// One SVG document of the charts as panels stacked top to bottom, each as render draws it.
// Throws ebprop::Error as render does for any of them, or when `charts` is empty.
std::string render_panels(const std::vector<Chart>& charts);

// A histogram of the finite `values` in `bins` equal bins, as a bar chart series (x = bin
// centres); the others (NaN, which stands for an empty cell, and ±inf) are skipped. Throws
// ebprop::Error when bins < 1 or no value is finite. Any finite values, up to ±DBL_MAX, bin
// without overflow.
Series histogram(const std::vector<double>& values, int bins, double& bar_width);

// How many of `values` a histogram skips.
std::size_t count_non_finite(const std::vector<double>& values);

}  // namespace ebprop::plot

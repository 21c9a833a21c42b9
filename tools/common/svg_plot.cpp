#include "svg_plot.h"

#include <ebprop/error.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ebprop::plot {
namespace {

const double width = 640, height = 420, left = 80, right = 160, top = 40, bottom = 60;
const char* const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// Maps data values to pixels along one axis, linear or logarithmic.
struct Axis {
  double lo, hi;
  bool log;
  double pixel_lo, pixel_hi;
  double t(double v) const { return log ? std::log10(v) : v; }
  double operator()(double v) const {
    const double a = t(lo) / 2, b = t(hi) / 2;  // halves: b - a cannot overflow
    return pixel_lo + (t(v) / 2 - a) / (b - a) * (pixel_hi - pixel_lo);
  }
  // About five round tick values inside [lo, hi].
  std::vector<double> ticks() const {
    std::vector<double> result;
    if (log) {
      for (double p = std::floor(std::log10(lo)); p <= std::ceil(std::log10(hi)); ++p)
        if (std::pow(10, p) >= lo * (1 - 1e-9) && std::pow(10, p) <= hi * (1 + 1e-9))
          result.push_back(std::pow(10, p));
      return result;
    }
    const double raw = (hi / 5 - lo / 5), magnitude = std::pow(10, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {2.0, 5.0, 10.0})
      if (step < raw) step = m * magnitude;
    // Counted, not `v += step`: far from 0 a step below the spacing of doubles adds nothing.
    const double first = std::ceil(lo / step) * step;
    for (int i = 0; i <= 10; ++i) {
      const double v = first + i * step;
      if (!(v <= hi + step * 1e-9)) break;
      result.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
    }
    return result;
  }
};

Axis make_axis(const Chart& chart, bool x, double pixel_lo, double pixel_hi) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  const bool log = x ? chart.log_x : chart.log_y;
  for (const auto& s : chart.series)
    for (double v : x ? s.x : s.y) {
      if (!std::isfinite(v)) continue;
      if (log && v == 0 && chart.bars && !x) continue;  // an empty bin: nothing to draw
      if (log && v <= 0)
        throw Error(std::string("a logarithmic ") + (x ? "x" : "y") + " axis cannot show " +
                    number(v) + " (series '" + s.name + "')");
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) throw Error("nothing to plot: every series is empty");
  if (chart.bars && x) {
    lo -= chart.bar_width / 2;
    hi += chart.bar_width / 2;
  }
  if (chart.bars && !x && !log) lo = std::min(lo, 0.0);  // bars stand on 0 (on a log axis, on lo)
  if (lo == hi) {
    lo = log ? lo / 2 : lo - 1;
    hi = log ? hi * 2 : hi + 1;
  }
  return {lo, hi, log, pixel_lo, pixel_hi};
}

}  // namespace

Series histogram(const std::vector<double>& values, int bins, double& bar_width) {
  if (bins < 1) throw Error("a histogram needs at least one bin");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) throw Error("nothing to plot: no value is a finite number");
  if (lo == hi) {  // one bin's width around the value, on the side that cannot overflow
    const double span = std::max(1.0, std::abs(lo) * 1e-6);
    if (lo > 0)
      lo -= span;
    else
      hi += span;
  }
  bar_width = hi / bins - lo / bins;  // not (hi - lo) / bins, which overflows at ±DBL_MAX
  Series s{"count", std::vector<double>(bins), std::vector<double>(bins, 0)};
  for (int b = 0; b < bins; ++b) s.x[b] = lo + (b + 0.5) * bar_width;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    const double position = (v / 2 - lo / 2) / (hi / 2 - lo / 2);  // in [0, 1]
    s.y[std::clamp(static_cast<int>(position * bins), 0, bins - 1)] += 1;
  }
  return s;
}

std::size_t count_non_finite(const std::vector<double>& values) {
  return static_cast<std::size_t>(
      std::count_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }));
}

// The elements of one chart, in a box of width × height at the origin.
static std::string chart_elements(const Chart& chart) {
  const Axis ax = make_axis(chart, true, left, width - right);
  const Axis ay = make_axis(chart, false, height - bottom, top);
  std::string svg =
      "<rect width=\"" + number(width) + "\" height=\"" + number(height) + "\" fill=\"white\"/>\n";
  svg += "<text x=\"" + number(width / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
         escape(chart.title) + "</text>\n";
  // Axes, ticks, grid and labels.
  for (double v : ax.ticks())
    svg += "<line x1=\"" + number(ax(v)) + "\" y1=\"" + number(top) + "\" x2=\"" + number(ax(v)) +
           "\" y2=\"" + number(height - bottom) + "\" stroke=\"#ddd\"/><text x=\"" + number(ax(v)) +
           "\" y=\"" + number(height - bottom + 16) + "\" text-anchor=\"middle\">" + number(v) +
           "</text>\n";
  for (double v : ay.ticks())
    svg += "<line x1=\"" + number(left) + "\" y1=\"" + number(ay(v)) + "\" x2=\"" +
           number(width - right) + "\" y2=\"" + number(ay(v)) + "\" stroke=\"#ddd\"/><text x=\"" +
           number(left - 6) + "\" y=\"" + number(ay(v) + 4) + "\" text-anchor=\"end\">" +
           number(v) + "</text>\n";
  svg += "<rect x=\"" + number(left) + "\" y=\"" + number(top) + "\" width=\"" +
         number(width - left - right) + "\" height=\"" + number(height - top - bottom) +
         "\" fill=\"none\" stroke=\"black\"/>\n";
  svg += "<text x=\"" + number((left + width - right) / 2) + "\" y=\"" + number(height - 18) +
         "\" text-anchor=\"middle\">" + escape(chart.x_label) + "</text>\n";
  svg += "<text transform=\"translate(18," + number((top + height - bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(chart.y_label) + "</text>\n";
  // Series, with a legend on the right.
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const Series& s = chart.series[k];
    const std::string colour = colours[k % 6];
    if (chart.bars) {
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (!(chart.log_y && s.y[i] <= 0))
          svg += "<rect x=\"" + number(ax(s.x[i] - chart.bar_width / 2)) + "\" y=\"" +
                 number(ay(s.y[i])) + "\" width=\"" +
                 number(ax(s.x[i] + chart.bar_width / 2) - ax(s.x[i] - chart.bar_width / 2)) +
                 "\" height=\"" + number(ay(std::max(ay.lo, 0.0)) - ay(s.y[i])) + "\" fill=\"" +
                 colour + "\" stroke=\"white\"/>\n";
    } else {
      std::string points;
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
          points += number(ax(s.x[i])) + "," + number(ay(s.y[i])) + " ";
      svg += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.5\" points=\"" +
             points + "\"/>\n";
      if (s.x.size() <= 30)
        for (std::size_t i = 0; i < s.x.size(); ++i)
          if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
            svg += "<circle cx=\"" + number(ax(s.x[i])) + "\" cy=\"" + number(ay(s.y[i])) +
                   "\" r=\"3\" fill=\"" + colour + "\"/>\n";
    }
    const double ly = top + 14 + 18 * k;
    svg += "<line x1=\"" + number(width - right + 10) + "\" y1=\"" + number(ly - 4) + "\" x2=\"" +
           number(width - right + 30) + "\" y2=\"" + number(ly - 4) + "\" stroke=\"" + colour +
           "\" stroke-width=\"3\"/><text x=\"" + number(width - right + 36) + "\" y=\"" +
           number(ly) + "\">" + escape(s.name) + "</text>\n";
  }
  return svg;
}

static std::string svg_header(double total_height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) + "\" height=\"" +
         number(total_height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
}

std::string render(const Chart& chart) {
  return svg_header(height) + chart_elements(chart) + "</svg>\n";
}

std::string render_panels(const std::vector<Chart>& charts) {
  if (charts.empty()) throw Error("nothing to plot: no chart");
  std::string svg = svg_header(height * static_cast<double>(charts.size()));
  for (std::size_t k = 0; k < charts.size(); ++k)
    svg += "<g transform=\"translate(0," + number(height * static_cast<double>(k)) + ")\">\n" +
           chart_elements(charts[k]) + "</g>\n";
  return svg + "</svg>\n";
}

}  // namespace ebprop::plot

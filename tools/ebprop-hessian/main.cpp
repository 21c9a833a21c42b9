// ebprop-hessian: second-order information of a network on its data (§5, §7, §9.2): the bbprop
// diagonal and its per-layer spread (Fig. 21), λmax and η_opt = 1/λmax by each estimator
// (power method Eq. 60, Taylor Eq. 63, online Eq. 64), the top-k eigenvalues (Lanczos) or the
// full spectrum of a small net (Fig. 19-20), as a table, CSV/JSON files and SVG plots.
#include <ebprop/curvature/eigen.h>
#include <ebprop/curvature/matrices.h>
#include <ebprop/files.h>
#include <ebprop/graph_parser.h>
#include <ebprop/model_file.h>
#include <ebprop/plugin_loader.h>
#include <ebprop/random_streams.h>
#include <omp.h>

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

#include "files.h"
#include "run_config.h"
#include "svg_plot.h"
#include "tool_options.h"

namespace ebprop::hessian {
namespace {

namespace po = boost::program_options;
namespace fs = boost::filesystem;
using curvature::EigenEstimate;
using curvature::HvpMethod;

struct Options {
  std::string graph_file, load, out;
  std::vector<std::string> plugin_paths, estimators;
  tools::Overrides overrides;
  int samples, iterations, presentations, top_k, max_weights;
  double gamma, alpha, tolerance;
  std::uint64_t seed;
  HvpMethod hvp;
  bool spectrum = false;
};

// The numeric and word options, validated like settings: a value out of range names the option.
const std::vector<SettingSpec>& option_settings() {
  static const std::vector<SettingSpec> settings{
      optional("samples", SettingType::integer, "1000",
               "training examples the Hessian is taken over")
          .at_least(1),
      optional("seed", SettingType::integer, "1",
               "seed of the random start vectors and presentations")
          .at_least(0)
          .at_most(static_cast<double>(std::numeric_limits<std::int64_t>::max())),
      optional("iterations", SettingType::integer, "100",
               "most iterations of the power method and of the Taylor estimate")
          .at_least(1),
      optional("tolerance", SettingType::real, "1e-6",
               "relative change of the estimate that stops the power method and the Taylor "
               "estimate")
          .above(0),
      optional("presentations", SettingType::integer, "500",
               "presentations of the online estimator")
          .at_least(1),
      optional("gamma", SettingType::real, "0.01", "leak γ of the online estimator")
          .above(0)
          .at_most(1),
      optional("alpha", SettingType::real, "1e-4", "step α of the Taylor and online estimators")
          .above(0),
      optional("top-k", SettingType::integer, "0",
               "the k largest eigenvalues by Lanczos, and λ1/λk (0: skip)")
          .at_least(0),
      optional("max-weights", SettingType::integer, "5000", "--spectrum refuses larger nets")
          .at_least(1),
      optional("hvp", SettingType::text, "auto",
               "Hessian-vector products: auto, exact (R-operator) or fd (Eq. 59)")
          .one_of({"auto", "exact", "fd"})};
  return settings;
}

// "power,taylor" → its names; "none" → none.
std::vector<std::string> parse_estimators(const std::string& text) {
  std::vector<std::string> estimators;
  if (text == "none") return estimators;
  std::stringstream list(text);
  for (std::string name; std::getline(list, name, ',');) {
    if (name != "power" && name != "taylor" && name != "online") {
      const std::string hint = did_you_mean(name, {"power", "taylor", "online"});
      throw tools::CommandLineError("--estimators: unknown estimator '" + name + "'" +
                                    (hint.empty() ? "" : "; " + hint) +
                                    " (power, taylor, online, or none)");
    }
    estimators.push_back(name);
  }
  return estimators;
}

HvpMethod hvp_method(const std::string& word) {
  if (word == "exact") return HvpMethod::exact;
  if (word == "fd") return HvpMethod::finite_difference;
  return HvpMethod::automatic;  // "auto": the schema allows no other word
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  std::string data_dir, estimators = "power,taylor,online";
  po::options_description options("Options");
  options.add_options()("help,h", "print this help and exit")(
      "version", "print the version of ebprop and of its plugin ABI, and exit")(
      "load", po::value(&o.load),
      "model (or old weights file) to analyse (default: the initial weights)")(
      "plugin-path", po::value(&o.plugin_paths)->composing(), "more plugins; may be repeated")(
      "data-dir", po::value(&data_dir), "directory of IDX files (the [data] key dir)")(
      "set", po::value(&o.overrides.set)->composing(), "KEY=VALUE: any [run] or [data] key")(
      "estimators", po::value(&estimators),
      "comma-separated: power (Eq. 60), taylor (Eq. 63), online (Eq. 64); 'none' for none")(
      "spectrum", po::bool_switch(&o.spectrum), "the full spectrum of the exact Hessian")(
      "out", po::value(&o.out),
      "directory for summary.json, CSV files and SVG plots (created and checked before the "
      "work: no file there may be an input; exit 2 otherwise)");
  for (const auto& s : option_settings()) {
    const std::string constraint = setting_constraint(s);
    options.add_options()(s.name.c_str(), po::value<std::string>(),
                          (s.doc + " (default " + *s.default_value +
                           (constraint.empty() ? "" : "; " + constraint) + ")")
                              .c_str());
  }
  po::options_description hidden;
  hidden.add_options()("graph", po::value(&o.graph_file));
  po::positional_options_description positional;
  positional.add("graph", 1);
  po::options_description all;
  all.add(options).add(hidden);
  const po::variables_map vm =
      tools::parse_options(argc, argv, all, positional, options, "ebprop-hessian");
  if (vm.count("version")) {
    std::cout << tools::version_text("ebprop-hessian");
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout
        << "Usage: ebprop-hessian GRAPH-FILE [options]\n"
           "Second-order information of a network on the first --samples examples of its\n"
           "training set: the bbprop diagonal by layer, λmax and η_opt = 1/λmax by each\n"
           "estimator, top-k eigenvalues or the full spectrum. Data keys as in ebprop-run.\n"
           "Example: ebprop-hessian graphs/digits-mlp.graph --load digits.model --top-k 10 "
           "--out h\n\n"
        << options
        << "\nExit status: 0 success, 1 error, 2 usage (a bad option, --set or --data-dir).\n";
    return std::nullopt;
  }
  if (o.graph_file.empty())
    throw tools::CommandLineError("no graph file given (see ebprop-hessian --help)");
  if (!data_dir.empty()) {
    o.overrides.set.push_back("dir=" + data_dir);
    o.overrides.shortcut["dir"] = "data-dir";
  }
  RawSettings given;
  for (const auto& s : option_settings())
    if (vm.count(s.name))
      given[s.name] = {vm[s.name].as<std::string>(), tools::command_line(s.name)};
  const Settings v = tools::validate_options(option_settings(), given, "ebprop-hessian");
  o.samples = static_cast<int>(v.integer("samples"));
  o.seed = static_cast<std::uint64_t>(v.integer("seed"));
  o.iterations = static_cast<int>(v.integer("iterations"));
  o.tolerance = v.real("tolerance");
  o.presentations = static_cast<int>(v.integer("presentations"));
  o.gamma = v.real("gamma");
  o.alpha = v.real("alpha");
  o.top_k = static_cast<int>(v.integer("top-k"));
  o.max_weights = static_cast<int>(v.integer("max-weights"));
  o.hvp = hvp_method(v.text("hvp"));
  o.estimators = parse_estimators(estimators);
  return o;
}

std::string number(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return std::isfinite(v) ? s.str() : "null";
}

// Before the work: creates --out and checks every file that may be written there (none may be an
// input, each must be writable). Throws tools::OutputError.
void check_out_directory(const Options& o, const std::vector<tools::RunFile>& inputs) {
  boost::system::error_code failed;
  fs::create_directories(o.out, failed);
  if (failed || !fs::is_directory(o.out))
    throw tools::OutputError("--out '" + o.out + "' cannot be made a directory" +
                             (failed ? ": " + failed.message() : std::string()));
  std::vector<tools::RunFile> outputs;
  for (const char* name : {"summary.json", "diagonal.csv", "layers.csv", "convergence.csv",
                           "convergence.svg", "spectrum.csv", "spectrum.svg"})
    outputs.push_back({"--out", (fs::path(o.out) / name).string()});
  tools::check_outputs(inputs, outputs);
}

struct Row {
  std::string name;
  EigenEstimate estimate;
  double seconds;
};

// "yes" / "no" for the power-type estimators' stopping test; "-" for the online one, which has
// none.
const char* converged_word(const Row& r) {
  if (r.name == "online") return "-";
  return r.estimate.converged ? "yes" : "no";
}

// |λ_last − λ_before| / λ_last of an estimate's history (NaN with fewer than two entries).
double last_change(const EigenEstimate& e) {
  const std::size_t n = e.history.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  return std::abs(e.history[n - 1] - e.history[n - 2]) / std::abs(e.history[n - 1]);
}

int run(int argc, char** argv) {
  const std::optional<Options> parsed = parse(argc, argv);
  if (!parsed) return 0;
  const Options& o = *parsed;
  const HvpMethod method = o.hvp;
  const std::vector<std::string>& estimators = o.estimators;
  omp_set_num_threads(1);

  Registry registry;
  load_plugins(registry, o.plugin_paths);
  const GraphSpec spec = parse_graph_file(o.graph_file);
  const tools::RunConfig config = tools::merge_config(o.overrides, spec, registry);
  if (!o.out.empty())
    check_out_directory(o, tools::run_inputs(o.graph_file, o.load, config, registry));
  RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
  Graph<double> graph(spec, registry, streams.initialization);
  const std::optional<tools::LoadedModel> model =
      o.load.empty() ? std::nullopt : tools::load_model_file(o.load, graph.parameters());
  tools::Data data = tools::load_data(config, model ? &*model : nullptr);
  data::truncate(data.train, o.samples);
  curvature::Loss loss(graph, data.train);
  std::cout << "graph " << o.graph_file << ": " << loss.dimension() << " weights; Hessian of the "
            << "mean loss over " << loss.examples()
            << " training examples; E = " << std::setprecision(6) << loss.value() << "\n";

  // The bbprop diagonal and its spread over layers (Fig. 21).
  Vector<double> diagonal;
  loss.bbprop_diagonal(diagonal);
  std::string diagonal_csv = "parameter,index,value\n",
              layers_csv = "parameter,size,mean,min,max\n";
  std::cout << "\nbbprop diagonal of the Hessian, by parameter (Gauss-Newton, §7.3):\n"
            << "  parameter                    size        mean         min         max\n";
  for (const auto& block : graph.parameters().blocks()) {
    const auto d = diagonal.segment(block.offset, block.size());
    for (Eigen::Index i = 0; i < d.size(); ++i)
      diagonal_csv += block.name + "," + std::to_string(i) + "," + number(d[i]) + "\n";
    layers_csv += block.name + "," + std::to_string(block.size()) + "," + number(d.mean()) + "," +
                  number(d.minCoeff()) + "," + number(d.maxCoeff()) + "\n";
    std::printf("  %-24s %8lld  %10.4g  %10.4g  %10.4g\n", block.name.c_str(),
                static_cast<long long>(block.size()), d.mean(), d.minCoeff(), d.maxCoeff());
  }

  // λmax by each estimator.
  std::vector<Row> rows;
  for (const auto& name : estimators) {
    const auto start = std::chrono::steady_clock::now();
    EigenEstimate e =
        name == "power" ? curvature::power_method(loss, o.iterations, o.tolerance, o.seed, method)
        : name == "taylor"
            ? curvature::taylor_estimate(loss, o.iterations, o.alpha, o.seed, o.tolerance)
            : curvature::online_estimate(loss, o.presentations, o.gamma, o.alpha, o.seed);
    rows.push_back(
        {name, std::move(e),
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  }
  for (const auto& note : loss.notes()) std::cout << "\nnote: " << note << "\n";
  if (!rows.empty()) {
    std::cout
        << "\nlargest eigenvalue and learning rates (§5.1, §9.2):\n"
        << "  estimator        λmax     Rayleigh   η_opt=1/λ   η_max=2/λ   iterations  converged"
           "   residual   seconds\n";
    for (const auto& r : rows)
      std::printf("  %-10s %10.5g %12.5g %11.4g %11.4g %12d %10s %10.3g %9.2f\n", r.name.c_str(),
                  r.estimate.lambda, r.estimate.rayleigh, 1 / r.estimate.lambda,
                  2 / r.estimate.lambda, r.estimate.iterations, converged_word(r),
                  r.estimate.residual, r.seconds);
    for (const auto& r : rows)
      if (r.name != "online" && !r.estimate.converged)
        std::fprintf(
            stderr,
            "warning: the %s estimate did not converge: it stopped at --iterations %d with the "
            "last relative change %.3g above --tolerance %g; the residual ‖HΨ − ρΨ‖/|ρ| = %.3g "
            "(an eigenvalue lies within that fraction of ρ = %.6g). λ2/λ1 near 1 makes the power "
            "method slow: raise --iterations, or use --top-k for Lanczos.\n",
            r.name.c_str(), r.estimate.iterations, last_change(r.estimate), o.tolerance,
            r.estimate.residual, r.estimate.rayleigh);
  }

  Vector<double> top;
  if (o.top_k > 0) {
    top = curvature::lanczos(loss, o.top_k, 0, o.seed, method);
    std::cout << "\ntop " << o.top_k << " eigenvalues (Lanczos):";
    for (Eigen::Index i = 0; i < top.size(); ++i)
      std::cout << " " << std::setprecision(5) << top[i];
    std::cout << "\n  λ1/λ" << o.top_k << " = " << top[0] / top[top.size() - 1] << "\n";
  }
  Vector<double> eigenvalues;
  if (o.spectrum) {
    if (loss.dimension() > o.max_weights)
      throw Error("--spectrum: the net has " + std::to_string(loss.dimension()) +
                  " weights, more than --max-weights " + std::to_string(o.max_weights) +
                  " (use --top-k)");
    eigenvalues =
        curvature::spectrum(loss.exact_hvp_available() ? curvature::full_hessian_exact(loss)
                                                       : curvature::full_hessian(loss));
    const Eigen::Index n = eigenvalues.size();
    std::cout << "\nfull spectrum: λ1 = " << eigenvalues[0] << ", λ" << n << " = "
              << eigenvalues[n - 1] << ", " << (eigenvalues.array() < 0).count() << " negative";
    if (n >= 11) std::cout << ", λ1/λ11 = " << eigenvalues[0] / eigenvalues[10];
    std::cout << "\n";
  }

  if (o.out.empty()) return 0;
  const std::string dir = o.out + "/";
  write_file_atomically(dir + "diagonal.csv", diagonal_csv);
  write_file_atomically(dir + "layers.csv", layers_csv);
  std::string json = "{\"graph\": \"" + o.graph_file +
                     "\", \"examples\": " + std::to_string(loss.examples()) +
                     ", \"weights\": " + std::to_string(loss.dimension()) + ", \"estimators\": {";
  for (std::size_t i = 0; i < rows.size(); ++i)
    json += std::string(i ? ", " : "") + "\"" + rows[i].name +
            "\": {\"lambda\": " + number(rows[i].estimate.lambda) +
            ", \"rayleigh\": " + number(rows[i].estimate.rayleigh) +
            ", \"eta_opt\": " + number(1 / rows[i].estimate.lambda) +
            ", \"eta_max\": " + number(2 / rows[i].estimate.lambda) +
            ", \"iterations\": " + std::to_string(rows[i].estimate.iterations) +
            ", \"converged\": " +
            (rows[i].name == "online"     ? std::string("null")
             : rows[i].estimate.converged ? "true"
                                          : "false") +
            ", \"residual\": " + number(rows[i].estimate.residual) +
            ", \"seconds\": " + number(rows[i].seconds) + "}";
  json += "}, \"top_k\": [";
  for (Eigen::Index i = 0; i < top.size(); ++i) json += (i ? ", " : "") + number(top[i]);
  json += "]}\n";
  write_file_atomically(dir + "summary.json", json);

  // Estimator convergence against presentations / iterations (Fig. 24).
  plot::Chart convergence{"λmax estimates",
                          "iteration or presentation",
                          "estimate of λmax",
                          false,
                          false,
                          {},
                          false,
                          0};
  std::string convergence_csv = "estimator,step,estimate\n";
  for (const auto& r : rows) {
    plot::Series s{r.name, {}, {}};
    for (std::size_t i = 0; i < r.estimate.history.size(); ++i) {
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(r.estimate.history[i]);
      convergence_csv +=
          r.name + "," + std::to_string(i + 1) + "," + number(r.estimate.history[i]) + "\n";
    }
    convergence.series.push_back(std::move(s));
  }
  if (!rows.empty()) {
    convergence.log_x = true;
    write_file_atomically(dir + "convergence.csv", convergence_csv);
    write_file_atomically(dir + "convergence.svg", plot::render(convergence));
  }
  if (eigenvalues.size() > 0) {
    std::string csv = "rank,eigenvalue\n";
    std::vector<double> values(eigenvalues.data(), eigenvalues.data() + eigenvalues.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      csv += std::to_string(i + 1) + "," + number(values[i]) + "\n";
    write_file_atomically(dir + "spectrum.csv", csv);
    plot::Chart chart{"Hessian eigenvalues", "eigenvalue", "count", false, false, {}, true, 0};
    chart.series.push_back(plot::histogram(values, 40, chart.bar_width));
    write_file_atomically(dir + "spectrum.svg", plot::render(chart));
  }
  std::cout << "\nwrote " << o.out << "/{summary.json, diagonal.csv, layers.csv"
            << (rows.empty() ? "" : ", convergence.csv, convergence.svg")
            << (eigenvalues.size() ? ", spectrum.csv, spectrum.svg" : "") << "}\n";
  return 0;
}

}  // namespace
}  // namespace ebprop::hessian

int main(int argc, char** argv) {
  return ebprop::tools::tool_main("ebprop-hessian",
                                  [&] { return ebprop::hessian::run(argc, argv); });
}

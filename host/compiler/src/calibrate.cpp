// Calibration: the float reference over sample inputs, per-tensor statistics.
#include <algorithm>
#include <cmath>

#include "lpu/compiler/quant.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

std::vector<FTensor> split_samples(const FTensor& array, const Shape& shape,
                                   const std::string& what) {
  if (array.shape == shape) return {array};
  if (array.shape.size() == shape.size() + 1 &&
      std::equal(shape.begin(), shape.end(), array.shape.begin() + 1)) {
    const std::size_t n = array.shape[0];
    const std::size_t per = shape_elements(shape);
    std::vector<FTensor> out;
    for (std::size_t i = 0; i < n; ++i) {
      out.emplace_back(shape, std::vector<float>(
                                  array.data.begin() + static_cast<std::ptrdiff_t>(i * per),
                                  array.data.begin() + static_cast<std::ptrdiff_t>((i + 1) * per)));
    }
    return out;
  }
  throw Error(what + ": calibration data has shape " + shape_str(array.shape) +
              "; expected the input's shape " + shape_str(shape) +
              " or [S] + that shape (S samples)");
}

StatsMap calibrate(const Graph& g, const std::vector<FTensorMap>& samples) {
  if (samples.empty()) throw Error(g.source + ": calibration needs at least one sample");
  StatsMap stats;
  FTensorMap state;  // the caches, carried from sample to sample (samples are steps in order)
  for (const auto& s : samples) {
    FTensorMap in = s;
    for (const auto& [name, t] : state) in[name] = t;
    const FTensorMap v = run_float(g, in);
    for (const auto& name : g.state_inputs) state[name] = v.at(name);
    for (const auto& [name, t] : v) {
      TensorStats& st = stats[name];
      const std::size_t cols = t.shape.empty() ? 1 : t.shape.back();
      for (std::size_t r = 0; r * cols < t.data.size(); ++r) {
        double l1 = 0, sum = 0, sq = 0;
        for (std::size_t c = 0; c < cols; ++c) {
          const double xv = static_cast<double>(t.data[r * cols + c]);
          const double x = std::fabs(xv);
          if (!std::isfinite(x))
            throw Error(g.source + ": tensor '" + name + "' is not finite during calibration");
          st.amax = std::max(st.amax, x);
          l1 += x;
          sum += xv;
          sq += xv * xv;
        }
        st.row_l1 = std::max(st.row_l1, l1);
        const double n = static_cast<double>(cols);
        st.row_rms_min = std::min(st.row_rms_min, std::sqrt(sq / n));
        st.row_std_min =
            std::min(st.row_std_min, std::sqrt(std::max(0.0, sq / n - (sum / n) * (sum / n))));
      }
    }
  }
  return stats;
}

}  // namespace lpu::compiler

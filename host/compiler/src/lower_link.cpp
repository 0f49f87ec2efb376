// Sends and receives of the tensors that cross between chips (docs/compiler.md
// "Multi-chip"): the words of a tensor in link order (link_runs), one send/recv per run.
#include "lower_impl.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

void Lowerer::lower_recvs() {
  if (opt_.recv_avail.size() != opt_.recv_tensors.size())
    throw Error("internal: arrival times for every received tensor");
  for (std::size_t i = 0; i < opt_.recv_tensors.size(); ++i) {
    const auto t = static_cast<std::size_t>(opt_.recv_tensors[i]);
    const ActPlace& p = out_.act[t];
    const std::vector<std::int64_t>& avail = opt_.recv_avail[i];
    std::size_t w = 0;
    for (const WordRun& r : link_runs(q_.tensors[t], cfg_)) {
      if (w + r.count > avail.size()) throw Error("internal: arrival times run short");
      const std::vector<std::int64_t> sub(avail.begin() + static_cast<std::ptrdiff_t>(w),
                                          avail.begin() + static_cast<std::ptrdiff_t>(w + r.count));
      sched_.place_recv(p.bank[r.block], p.addr[r.block] + r.row, r.count, opt_.recv_link, sub);
      w += r.count;
    }
  }
}

void Lowerer::lower_sends() {
  for (int ti : opt_.send_tensors) {
    const auto t = static_cast<std::size_t>(ti);
    const ActPlace& p = out_.act[t];
    for (const WordRun& r : link_runs(q_.tensors[t], cfg_)) {
      out_.send_times.push_back(
          sched_.place_send(p.bank[r.block], p.addr[r.block] + r.row, r.count, opt_.send_link));
      out_.send_counts.push_back(r.count);
    }
  }
}

}  // namespace lpu::compiler::detail

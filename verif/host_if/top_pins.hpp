// TopPins for a Verilator model class V of lpu_top: port access and the host-port probe
// (signals made public by verif/host_if/top_sim.vlt). Header-only so that every build of
// lpu_top (the sim device's models, the testbenches') shares it.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "top_sim.hpp"

namespace lpu::sim {

namespace detail {

template <class T>
void get_bytes(const T& v, std::vector<std::uint8_t>& out, std::size_t nbytes) {
  out.resize(nbytes);
  for (std::size_t i = 0; i < nbytes; ++i) {
    if constexpr (std::is_integral_v<T>) {
      out[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i));
    } else {
      out[i] = static_cast<std::uint8_t>(v[i / 4] >> (8 * (i % 4)));
    }
  }
}

// Whether a model of lpu_top has the chip-to-chip link pins (docs/link.md; a model built
// from an lpu_top without them still works, with the links absent).
template <class V, class = void>
struct has_link_pins : std::false_type {};
template <class V>
struct has_link_pins<V, std::void_t<decltype(std::declval<V&>().link_tx_o),
                                    decltype(std::declval<V&>().link_rx_i),
                                    decltype(std::declval<V&>().link_up_o)>> : std::true_type {};

}  // namespace detail

// Port access shared by the owning adapter below and the testbenches' harness adapter.
template <class V>
TopOut read_top_out(const V& m) {
  TopOut o;
  o.uart_tx = m.uart_tx_o;
  o.sd_rx_ready = m.sd_rx_ready_o;
  o.sd_tx_valid = m.sd_tx_valid_o;
  o.sd_tx_data = m.sd_tx_data_o;
  o.idle = m.idle_o;
  o.mid_frame = m.mid_frame_o;
  o.running = m.running_o;
  o.done = m.done_o;
  o.error = m.error_o;
  if constexpr (detail::has_link_pins<V>::value) {
    static_assert(sizeof(m.link_tx_o) <= 4, "TopOut::link_tx holds at most 32 link pins");
    o.link_tx = static_cast<std::uint32_t>(m.link_tx_o);
    o.link_up = static_cast<std::uint32_t>(m.link_up_o);
  }
  return o;
}

template <class V>
void write_top_in(V& m, const TopIn& in) {
  m.uart_rx_i = in.rx_pos;
  m.sd_en_i = in.sd_en;
  m.sd_rx_valid_i = in.sd_rx_valid;
  m.sd_rx_data_i = in.sd_rx_data;
  m.sd_tx_ready_i = in.sd_tx_ready;
  m.sd_flush_i = in.flush;
  if constexpr (detail::has_link_pins<V>::value) {
    using R = std::remove_reference_t<decltype(m.link_rx_i)>;
    m.link_rx_i = static_cast<R>(in.link_rx);
  }
}

template <class V>
PortProbe read_top_probe(const V& m, std::size_t lanes) {
  PortProbe p;
  const auto* r = m.rootp;
  p.req = r->lpu_top__DOT__core_req;
  p.we = r->lpu_top__DOT__core_we;
  p.space = r->lpu_top__DOT__core_space;
  p.bank = r->lpu_top__DOT__core_bank;
  p.addr = r->lpu_top__DOT__core_addr;
  p.core_rst = r->lpu_top__DOT__core_rst;
  detail::get_bytes(r->lpu_top__DOT__core_wdata, p.wdata, lanes * 4);
  return p;
}

// Owns a context and a model; memories start at zero (like a fresh golden model).
template <class V>
class OwnedTopPins : public TopPins {
 public:
  explicit OwnedTopPins(std::size_t lanes) : lanes_(lanes) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(0);
    m_ = std::make_unique<V>(ctx_.get(), "top");
    m_->clk_i = 0;
    m_->rst_ni = 1;
    write_top_in(*m_, TopIn{});
    m_->eval();
  }
  ~OwnedTopPins() override { m_->final(); }

  TopOut out() const override { return read_top_out(*m_); }
  PortProbe probe() const override { return read_top_probe(*m_, lanes_); }
  bool has_link_pins() const override { return detail::has_link_pins<V>::value; }

  void tick(const TopIn& in) override {
    write_top_in(*m_, in);
    m_->clk_i = 1;
    ctx_->timeInc(1);
    m_->eval();
    m_->uart_rx_i = in.rx_neg;
    m_->clk_i = 0;
    ctx_->timeInc(1);
    m_->eval();
  }

  void reset() override {
    m_->rst_ni = 0;
    for (int i = 0; i < 4; ++i) tick(TopIn{});
    m_->rst_ni = 1;
    m_->eval();
  }

 private:
  std::size_t lanes_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> m_;
};

}  // namespace lpu::sim

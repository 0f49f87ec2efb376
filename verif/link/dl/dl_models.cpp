// The Verilator models of lpu_link_dl used by the data link layer tests and benchmark
// (CMakeLists.txt: one model per parameter set, Vlink_dl_<name>); see dl_models.hpp.
#include "dl_models.hpp"

namespace lpu::verif::link {

const char* dl_models_note() { return "lpu_link_dl models: w16l4 w4l2 w4l3 w8l1"; }

}  // namespace lpu::verif::link

// lpu link: the state and status counters of a device's chip-to-chip links (LINK_STATUS,
// docs/host-protocol.md; counters of docs/link.md).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/device.hpp"
#include "lpu/link_status.hpp"
#include "lpu/system_device.hpp"
#include "open_device.hpp"
#include "options.hpp"

namespace {

using Json = nlohmann::ordered_json;  // counters in docs/link.md order

// A URI naming several chips (chips=N): every chip's links are shown.
bool is_system(const std::string& uri) { return uri.find("chips=") != std::string::npos; }

Json links_json(const std::vector<lpu::LinkStatus>& links) {
  const auto& names = lpu::link_counter_names();
  Json j = Json::array();
  for (std::size_t k = 0; k < links.size(); ++k) {
    Json l;
    l["link"] = k;
    l["up"] = links[k].up;
    l["state"] = lpu::link_state_name(links[k].state);
    l["state_code"] = links[k].state;
    Json c = Json::object();
    for (std::size_t i = 0; i < names.size() && i < links[k].counters.size(); ++i)
      c[names[i]] = links[k].counters[i];
    l["counters"] = c;
    j.push_back(l);
  }
  return j;
}

void print_links(const std::vector<lpu::LinkStatus>& links) {
  const auto& names = lpu::link_counter_names();
  std::printf("%-5s %-4s %-7s %s\n", "link", "up", "state", "counters (nonzero)");
  for (std::size_t k = 0; k < links.size(); ++k) {
    std::string nz;
    for (std::size_t i = 0; i < names.size() && i < links[k].counters.size(); ++i) {
      if (links[k].counters[i] == 0) continue;
      nz += (nz.empty() ? "" : " ") + names[i] + "=" + std::to_string(links[k].counters[i]);
    }
    std::printf("%-5zu %-4s %-7s %s\n", k, links[k].up ? "yes" : "no",
                lpu::link_state_name(links[k].state).c_str(), nz.empty() ? "-" : nz.c_str());
  }
}

int run_link(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"device", 'd', OptKind::value, "device URI"},
                                        {"config", 'c', OptKind::value, "configuration"},
                                        {"json", 0, OptKind::flag, "JSON output"},
                                    });
  opt.require_positionals(0, 0, "nothing");
  const lpu::Config& c =
      opt.has("config") ? lpu::config_by_name(opt.value_or("config", "")) : lpu::default_config();
  const std::string uri = opt.value_or("device", lpu::cli::kDefaultDevice);
  const bool json = opt.flag("json");
  if (is_system(uri)) {
    auto sys = LPU_OPEN_SYSTEM(uri, c, 0);
    Json j;
    j["device"] = sys->name();
    j["config"] = std::string(sys->chip(0).config().name);
    j["chips"] = Json::array();
    if (!json) std::printf("device: %s (%u chips)\n", sys->name().c_str(), sys->chips());
    for (unsigned i = 0; i < sys->chips(); ++i) {
      const auto links = sys->chip(i).link_status();
      if (json) {
        j["chips"].push_back(Json{{"chip", i}, {"links", links_json(links)}});
      } else {
        std::printf("chip %u:\n", i);
        print_links(links);
      }
    }
    if (json) std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto dev = LPU_OPEN_DEVICE(uri, c);
  const auto links = dev->link_status();
  if (json) {
    Json j;
    j["device"] = dev->name();
    j["config"] = std::string(dev->config().name);
    j["links"] = links_json(links);
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("device: %s: %s\n", dev->name().c_str(), dev->description().c_str());
    print_links(links);
  }
  return 0;
}

}  // namespace

LPU_COMMAND(link, "show the state and status counters of a device's chip-to-chip links",
            "[--device D] [--config C] [--json]\n"
            "\n"
            "Reads every link's up flag, training state and the 23 status counters of\n"
            "docs/link.md (protocol command LINK_STATUS). The table lists the nonzero\n"
            "counters; --json gives all of them. A multi-chip device (URI with chips=N)\n"
            "shows every chip's links.\n"
            "\n"
            "options:\n"
            "  -d, --device URI   device (default: sim when built with the RTL, else golden)\n"
            "  -c, --config NAME  configuration of an emulated device (default: base)\n"
            "      --json         print JSON: {device, config, links: [{link, up, state,\n"
            "                     state_code, counters: {name: value}}]}; a multi-chip\n"
            "                     device: {device, config, chips: [{chip, links}]}\n",
            run_link)

// How the CLI opens devices. With the driver library (driver/) linked in, every URI it knows
// (sim, tcp://, usb, ...) opens through it; otherwise only the in-process devices of
// lpu::open_device exist. Multi-chip devices likewise: golden:chips=N in the host library;
// sim:chips=N, golden-frames:chips=N and tcp:// systems in the driver.
#pragma once

#include "lpu/device.hpp"
#include "lpu/system_device.hpp"

#if __has_include("lpu/driver/frame_device.hpp")
#include "lpu/driver/frame_device.hpp"
#define LPU_OPEN_DEVICE ::lpu::driver::open_device
#else
#define LPU_OPEN_DEVICE ::lpu::open_device
#endif

#if __has_include("lpu/driver/system.hpp")
#include "lpu/driver/system.hpp"
#define LPU_OPEN_SYSTEM ::lpu::driver::open_system_device
#else
#define LPU_OPEN_SYSTEM ::lpu::open_system_device
#endif

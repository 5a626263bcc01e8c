// SPDX-License-Identifier: Apache-2.0
// Macro reference cycles in submit descriptions (see submit_macros.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace htcpb {

// The first cycle of macro references among the description's (key, raw value) pairs, as
// "a -> b -> a", or nothing.  Pure text processing: no library call, no lock needed.
std::optional<std::string> macro_cycle(const std::vector<std::pair<std::string, std::string>> &items);

}  // namespace htcpb

// SPDX-License-Identifier: Apache-2.0
// An exception carrying an error-kind code: the one translator of each module maps kinds to the
// module's Python exception classes (htcondor's HTCondor*Error, classad's ClassAd*Error).
#pragma once

#include <stdexcept>
#include <string>

namespace htcpb {

template <class Kind>
class KindError : public std::runtime_error {
public:
    KindError(Kind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

}  // namespace htcpb

// SPDX-License-Identifier: Apache-2.0
// A check of XML job event logs before libclassad's XML parser reads them (see the .cpp).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace htcpb {

class XmlListGuard {
public:
    // Scan what the file gained since the last call.  False (with `error` set) if it holds what
    // the library's XML parser loops on for ever.  Files that are not XML are let through.
    bool scan(const std::string &path, std::string &error);

private:
    bool decided_ = false;
    bool xml_ = false;
    off_t offset_ = 0;                // bytes consumed: complete tags and the text before them
    std::vector<std::string> stack_;  // open elements
};

}  // namespace htcpb

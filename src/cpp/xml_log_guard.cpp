// SPDX-License-Identifier: Apache-2.0
// libclassad 23.9.6's ClassAdXMLParser::ParseList only ever consumes start tags and the list's
// own end tag: text, or another element's end tag, directly inside <l> is peeked again and
// again, and reading the event never returns (100% CPU; found by the atheris fuzzer on a corrupt
// XML event log).  The reader scans XML logs itself before the library reads them and refuses
// such a file with HTCondorIOError.  The scan is incremental (what the file gained since the
// last read), keeps the stack of open elements, and stops before an incomplete tag.
#include "xml_log_guard.h"

#include <cctype>
#include <fcntl.h>
#include <unistd.h>

namespace htcpb {

namespace {

bool blank(const std::string &s, size_t a, size_t b) {
    for (size_t i = a; i < b; ++i) {
        if (!std::isspace(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool XmlListGuard::scan(const std::string &path, std::string &error) {
    if (decided_ && !xml_) {
        return true;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return true;  // the library reports a missing file its own way
    }
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < offset_) {  // truncated or replaced: start again
        offset_ = 0;
        stack_.clear();
        decided_ = false;
    }
    std::string data;
    if (size > offset_) {
        data.resize(static_cast<size_t>(size - offset_));
        const ssize_t got = ::pread(fd, data.data(), data.size(), offset_);
        data.resize(got > 0 ? static_cast<size_t>(got) : 0);
    }
    ::close(fd);
    if (!decided_) {
        size_t first = 0;
        while (first < data.size() && std::isspace(static_cast<unsigned char>(data[first]))) {
            ++first;
        }
        if (first == data.size()) {
            return true;  // nothing to decide on yet
        }
        decided_ = true;
        xml_ = data[first] == '<';
        if (!xml_) {
            return true;
        }
    }
    size_t pos = 0;
    while (pos < data.size()) {
        const size_t open = data.find('<', pos);
        const bool in_list = !stack_.empty() && stack_.back() == "l";
        if (in_list && !blank(data, pos, open == std::string::npos ? data.size() : open)) {
            error = "text directly inside a list element (<l>) at byte " + std::to_string(offset_ + pos);
            return false;
        }
        if (open == std::string::npos) {
            break;  // text that may go on: scanned again next time
        }
        const size_t close = data.find('>', open);
        if (close == std::string::npos) {
            pos = open;  // an incomplete tag
            break;
        }
        std::string tag = data.substr(open + 1, close - open - 1);
        if (!tag.empty() && tag[0] == '/') {
            size_t e = 1;
            while (e < tag.size() && !std::isspace(static_cast<unsigned char>(tag[e]))) {
                ++e;
            }
            const std::string name = tag.substr(1, e - 1);
            if (!stack_.empty() && stack_.back() == name) {
                stack_.pop_back();
            } else if (in_list) {
                error = "end tag </" + name + "> directly inside a list element (<l>) at byte " +
                        std::to_string(offset_ + open);
                return false;
            }
        } else if (!tag.empty() && tag[0] != '?' && tag[0] != '!' && tag.back() != '/') {
            size_t e = 0;
            while (e < tag.size() && !std::isspace(static_cast<unsigned char>(tag[e]))) {
                ++e;
            }
            if (stack_.size() < 10000) {
                stack_.push_back(tag.substr(0, e));
            }
        }
        pos = close + 1;
    }
    offset_ += static_cast<off_t>(pos);
    return true;
}

}  // namespace htcpb

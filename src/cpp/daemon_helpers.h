// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the daemon-client translation units (schedd, collector, admin).  Include
// after bindings.h.  Everything here runs under the library lock unless stated.
#pragma once

#include "CondorError.h"
#include "condor_error_codes.h"
#include "daemon.h"

#include <memory>
#include <string>
#include <vector>

namespace htcpb {

using AdPtr = std::shared_ptr<classad::ClassAd>;

// " <library error text>" or "" (to append to a message).
inline std::string error_text(const CondorError &err) {
    std::string text = err.getFullText();
    return text.empty() ? std::string() : " " + text;
}

// The daemon turned down our cached security session because it no longer knows it: it was
// restarted.  The library has then forgotten the session and the command never ran, so trying
// once more (with a new session) is safe.
inline bool session_rejected(const CondorError &err) {
    for (int i = 0; err.subsys(i); ++i) {
        if (err.code(i) == SECMAN_ERR_NO_SESSION && strcmp(err.subsys(i), "SECMAN") == 0) {
            return true;
        }
    }
    return false;
}

// A process callback for CondorQ/CollectorList queries: keeps every ad (takes ownership).
inline bool collect_ad(void *data, ClassAd *ad) {
    static_cast<std::vector<AdPtr> *>(data)->emplace_back(ad);
    return false;
}

// Ads as a Python list of classad.ClassAd (needs the GIL).
inline py::list to_list(std::vector<AdPtr> &ads) {
    py::list out(ads.size());
    for (size_t i = 0; i < ads.size(); ++i) {
        out[i] = py::cast(std::move(ads[i]));
    }
    return out;
}

// Starts `cmd` at the daemon at `address` over TCP; raises HTCondorIOError when it cannot.
inline std::unique_ptr<Sock> start_command(const std::string &address, daemon_t type, int cmd, int timeout = 0) {
    Daemon daemon(type, address.c_str(), nullptr);
    CondorError err;
    std::unique_ptr<Sock> sock(daemon.startCommand(cmd, Stream::reli_sock, timeout, &err));
    if (!sock && session_rejected(err)) {
        err.clear();
        sock.reset(daemon.startCommand(cmd, Stream::reli_sock, timeout, &err));
    }
    if (!sock) {
        raise(ErrorKind::IO, "Unable to connect to the " + std::string(daemonString(type)) + " at " + address +
                                 "." + error_text(err));
    }
    return sock;
}

}  // namespace htcpb

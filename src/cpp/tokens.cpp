// SPDX-License-Identifier: Apache-2.0
// IDTOKEN requests (the protocol of condor_token_request).  TokenRequest itself is Python
// (htcondor/_admin.py).  Tokens are returned to Python but never logged or put in a message.
#include "bindings.h"
#include "daemon_helpers.h"

#include "daemon.h"
#include "daemon_types.h"
#include "token_utils.h"

namespace htcpb {

namespace {

std::unique_ptr<Daemon> token_daemon(const std::string &address, int daemon_type) {
    if (address.empty()) {
        return std::make_unique<Daemon>(DT_COLLECTOR, nullptr, nullptr);  // the pool's collector
    }
    return std::make_unique<Daemon>(static_cast<daemon_t>(daemon_type), address.c_str(), nullptr);
}

// Starts a request: (client id, token if issued at once else "", request id).
py::tuple start_request(const std::string &address, int daemon_type, const std::string &identity,
                        const std::vector<std::string> &bounding_set, int lifetime) {
    std::string client_id, token, request_id;
    CondorError err;
    bool ok;
    {
        LibraryLock lock(true);  // network round trip
        std::unique_ptr<Daemon> daemon = token_daemon(address, daemon_type);
        client_id = htcondor::generate_client_id();
        ok = daemon->startTokenRequest(identity, bounding_set, lifetime, client_id, token, request_id, &err);
    }
    if (!ok) {
        raise(ErrorKind::IO, "Failed to request a token:" + error_text(err));
    }
    return py::make_tuple(client_id, token, request_id);
}

// Polls a request: the token once approved, "" while pending.
std::string finish_request(const std::string &address, int daemon_type, const std::string &client_id,
                           const std::string &request_id) {
    std::string token;
    CondorError err;
    bool ok;
    {
        LibraryLock lock(true);
        std::unique_ptr<Daemon> daemon = token_daemon(address, daemon_type);
        ok = daemon->finishTokenRequest(client_id, request_id, token, &err);
    }
    if (!ok) {
        raise(ErrorKind::IO, "Token request " + request_id + " failed:" + error_text(err));
    }
    return token;
}

}  // namespace

void register_tokens(py::module_ &m) {
    m.def("_token_request_start", &start_request);
    m.def("_token_request_finish", &finish_request);
}

}  // namespace htcpb

// SPDX-License-Identifier: Apache-2.0
// Administrative clients: negotiator accounting commands, startd draining, security sessions.
// The classes themselves are Python (htcondor/_admin.py).
#include "bindings.h"
#include "daemon_helpers.h"

#include "condor_commands.h"
#include "condor_perms.h"
#include "condor_secman.h"
#include "classad_oldnew.h"
#include "command_strings.h"
#include "daemon.h"
#include "daemon_types.h"
#include "dc_startd.h"

namespace htcpb {

namespace {

// A negotiator command carrying a user name and optionally a number.  kind: 0 none, 1 float,
// 2 long (a time), 3 int (the ceiling: v1 sent a float, which the negotiator misreads).
void negotiator_command(const std::string &address, int cmd, const std::string &user, int kind, double value) {
    LibraryLock lock(true);
    std::unique_ptr<Sock> sock = start_command(address, DT_NEGOTIATOR, cmd);
    bool ok = true;
    if (!user.empty()) {
        ok = sock->put(user.c_str());
    }
    if (ok && kind == 1) {
        ok = sock->put(static_cast<float>(value));
    } else if (ok && kind == 2) {
        ok = sock->put(static_cast<long>(value));
    } else if (ok && kind == 3) {
        ok = sock->put(static_cast<int>(value));
    }
    if (!ok || !sock->end_of_message()) {
        raise(ErrorKind::IO, "Failed to send the command to the negotiator.");
    }
}

AdPtr negotiator_query(const std::string &address, int cmd, const std::string &user) {
    auto ad = std::make_shared<classad::ClassAd>();
    LibraryLock lock(true);
    std::unique_ptr<Sock> sock = start_command(address, DT_NEGOTIATOR, cmd);
    if (!user.empty() && !sock->put(user.c_str())) {
        raise(ErrorKind::IO, "Failed to send the command to the negotiator.");
    }
    if (!sock->end_of_message()) {
        raise(ErrorKind::IO, "Failed to send the command to the negotiator.");
    }
    sock->decode();
    if (!getClassAdNoTypes(sock.get(), *ad) || !sock->end_of_message()) {
        raise(ErrorKind::IO, "Failed to get classad from negotiator");
    }
    return ad;
}

}  // namespace

void register_admin(py::module_ &m) {
    m.def("_negotiator_command", &negotiator_command);
    m.def("_negotiator_query", &negotiator_query);
    m.attr("_NEGOTIATOR_COMMANDS") = py::dict(
        py::arg("SET_PRIORITY") = SET_PRIORITY, py::arg("SET_PRIORITYFACTOR") = SET_PRIORITYFACTOR,
        py::arg("SET_ACCUMUSAGE") = SET_ACCUMUSAGE, py::arg("SET_BEGINTIME") = SET_BEGINTIME,
        py::arg("SET_LASTTIME") = SET_LASTTIME, py::arg("SET_CEILING") = SET_CEILING,
        py::arg("RESET_USAGE") = RESET_USAGE, py::arg("DELETE_USER") = DELETE_USER,
        py::arg("RESET_ALL_USAGE") = RESET_ALL_USAGE, py::arg("GET_PRIORITY") = GET_PRIORITY,
        py::arg("GET_PRIORITY_ROLLUP") = GET_PRIORITY_ROLLUP, py::arg("GET_RESLIST") = GET_RESLIST);

    m.def("_drain_jobs", [](const std::string &address, int how_fast, int on_completion, const std::string &check_expr,
                            const std::string &start_expr, const std::string &reason) {
        std::string request_id;
        bool ok;
        {
            LibraryLock lock(true);
            DCStartd startd(address.c_str());
            ok = startd.drainJobs(how_fast, reason.empty() ? nullptr : reason.c_str(), on_completion,
                                  check_expr.empty() ? nullptr : check_expr.c_str(),
                                  start_expr.empty() ? nullptr : start_expr.c_str(), request_id);
        }
        if (!ok) {
            raise(ErrorKind::Reply, "Startd failed to begin draining jobs.");
        }
        return request_id;
    });
    m.def("_cancel_drain_jobs", [](const std::string &address, const std::string &request_id) {
        bool ok;
        {
            LibraryLock lock(true);
            DCStartd startd(address.c_str());
            ok = startd.cancelDrainJobs(request_id.empty() ? nullptr : request_id.c_str());
        }
        if (!ok) {
            raise(ErrorKind::Reply, "Startd failed to cancel draining jobs.");
        }
    });

    // Authenticate to a daemon for `command` and return the resulting session's policy ad.
    m.def("_ping", [](const std::string &address, int command) {
        auto ad = std::make_shared<classad::ClassAd>();
        LibraryLock lock(true);
        Daemon daemon(DT_ANY, address.c_str(), nullptr);
        CondorError err;
        std::unique_ptr<Sock> sock(daemon.startSubCommand(DC_SEC_QUERY, command, Stream::reli_sock, 0, &err));
        if (!sock) {
            std::string text = err.getFullText();
            raise(ErrorKind::IO, "Failed to start command." + (text.empty() ? std::string() : " " + text));
        }
        sock->getPolicyAd(*ad);
        return ad;
    });
    m.def("_command_number", [](const std::string &name) {
        LibraryLock lock;
        const DCpermission perm = getPermissionFromString(name.c_str());
        if (perm != NOT_A_PERM) {
            return getSampleCommand(perm);
        }
        return getCommandNum(name.c_str());
    });
    m.def("_command_string", [](int command) -> py::object {
        const char *s;
        {
            LibraryLock lock;
            s = getCommandString(command);
        }
        if (!s) {
            return py::none();
        }
        return py::str(s);
    });
    m.def("_set_thread_security", &set_thread_security);
    m.def("_invalidate_all_sessions", [] {
        LibraryLock lock;
        SecMan().invalidateAllCache();
    });

    py::dict tables = m.attr("_enum_tables");
    tables["DrainTypes"] = py::make_tuple(py::make_tuple("Graceful", static_cast<int>(DRAIN_GRACEFUL)),
                                          py::make_tuple("Quick", static_cast<int>(DRAIN_QUICK)),
                                          py::make_tuple("Fast", static_cast<int>(DRAIN_FAST)));
}

}  // namespace htcpb

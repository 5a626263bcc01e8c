// SPDX-License-Identifier: Apache-2.0
// Collectors (query, advertise), daemon commands, remote configuration and the process's
// subsystem.  Collector/RemoteParam themselves are Python (htcondor/_collector.py).
#include "bindings.h"
#include "daemon_helpers.h"
#include "columns.h"

#include "condor_adtypes.h"
#include "condor_commands.h"
#include "condor_config.h"
#include "condor_query.h"
#include "classad_oldnew.h"
#include "command_strings.h"
#include "daemon.h"
#include "daemon_list.h"
#include "daemon_types.h"
#include "dc_collector.h"
#include "dc_message.h"
#include "subsystem_info.h"

namespace htcpb {

namespace {




std::vector<AdPtr> fetch_ads(const std::string &pool, int ad_type, const std::string &constraint,
                             const std::vector<std::string> &projection, const std::string &statistics,
                             const std::string &location_name) {
    std::vector<AdPtr> ads;
    {
        LibraryLock lock(true);  // network round trip(s)
        CondorQuery query(static_cast<AdTypes>(ad_type));
        if (!constraint.empty() && query.addANDConstraint(constraint.c_str()) != Q_OK) {
            raise(ErrorKind::Value, "Invalid constraint.");
        }
        if (!projection.empty()) {
            query.setDesiredAttrs(projection);
        }
        if (!statistics.empty()) {
            query.addExtraAttributeString("STATISTICS_TO_PUBLISH", statistics);
        }
        if (!location_name.empty()) {
            query.addExtraAttributeString("LocationQuery", location_name);
        }
        std::unique_ptr<CollectorList> collectors(CollectorList::create(pool.empty() ? nullptr : pool.c_str()));
        CondorError err;
        QueryResult rv = collectors->query(query, collect_ad, &ads, &err);
        if (rv == Q_COMMUNICATION_ERROR && ads.empty() && session_rejected(err)) {
            err.clear();  // a restarted collector: once more, with a new session
            rv = collectors->query(query, collect_ad, &ads, &err);
        }
        switch (rv) {
        case Q_OK:
            break;
        case Q_NO_COLLECTOR_HOST:
            raise(ErrorKind::Locate, "Unable to determine collector host." + error_text(err));
        case Q_PARSE_ERROR:
        case Q_INVALID_CATEGORY:
        case Q_INVALID_QUERY:
            raise(ErrorKind::Value, "Invalid constraint or query." + error_text(err));
        default:
            raise(ErrorKind::IO, "Failed communication with collector." + error_text(err));
        }
    }
    return ads;
}

py::list collector_query(const std::string &pool, int ad_type, const std::string &constraint,
                         const std::vector<std::string> &projection, const std::string &statistics,
                         const std::string &location_name) {
    std::vector<AdPtr> ads = fetch_ads(pool, ad_type, constraint, projection, statistics, location_name);
    return to_list(ads);
}

py::dict collector_query_columns(const std::string &pool, int ad_type, const std::string &constraint,
                                 const std::vector<std::string> &projection, const std::string &statistics) {
    ColumnBuilder builder(projection);
    std::vector<AdPtr> ads = fetch_ads(pool, ad_type, constraint, projection, statistics, "");
    builder.consume(ads);
    return builder.finish();
}

void advertise(const std::string &pool, const std::vector<AdPtr> &ads, const std::string &command, bool use_tcp) {
    const int cmd = getCollectorCommandNum(command.c_str());
    if (cmd < 0) {
        raise(ErrorKind::Enum, "Invalid command " + command);
    }
    if (cmd == UPDATE_STARTD_AD_WITH_ACK) {
        throw std::logic_error("UPDATE_STARTD_AD_WITH_ACK is not implemented");
    }
    LibraryLock lock(true);
    std::unique_ptr<CollectorList> collectors(CollectorList::create(pool.empty() ? nullptr : pool.c_str()));
    for (DCCollector *collector : collectors->getList()) {
        if (!collector->locate()) {
            raise(ErrorKind::Locate, "Unable to locate collector.");
        }
        for (const auto &ad : ads) {
            CondorError err;
            std::unique_ptr<Sock> sock(collector->startCommand(cmd, use_tcp ? Stream::reli_sock : Stream::safe_sock,
                                                               20, &err));
            if (!sock) {
                raise(ErrorKind::IO, "Unable to connect to the collector." + error_text(err));
            }
            if (!putClassAd(sock.get(), *ad) || !sock->end_of_message()) {
                raise(ErrorKind::IO, "Failed to send the ad to the collector.");
            }
        }
    }
}

// Tell a parent condor_master that process `pid` is alive (DC_CHILDALIVE), blocking.
void send_alive(const std::string &address, int pid, int timeout) {
    bool delivered;
    {
        LibraryLock lock(true);
        classy_counted_ptr<Daemon> master = new Daemon(DT_ANY, address.c_str(), nullptr);
        classy_counted_ptr<ChildAliveMsg> msg = new ChildAliveMsg(pid, timeout, 0, 0.0, true);
        master->sendBlockingMsg(msg.get());
        delivered = msg->deliveryStatus() == DCMsg::DELIVERY_SUCCEEDED;
    }
    if (!delivered) {
        raise(ErrorKind::IO, "Failed to deliver keepalive message to " + address + ".");
    }
}

void send_command(const std::string &address, int daemon_type, int command, const std::string &target) {
    LibraryLock lock(true);
    Daemon daemon(static_cast<daemon_t>(daemon_type), address.c_str(), nullptr);
    if (!daemon.locate(Daemon::LOCATE_FOR_ADMIN)) {
        raise(ErrorKind::Locate, "Unable to locate the daemon.");
    }
    CondorError err;
    std::unique_ptr<Sock> sock(daemon.startCommand(command, Stream::reli_sock, 0, &err));
    if (!sock) {
        raise(ErrorKind::IO, "Unable to connect to the remote daemon." + error_text(err));
    }
    if (!target.empty()) {
        std::string t = target;
        if (!sock->code(t)) {
            raise(ErrorKind::IO, "Failed to send the target to the daemon.");
        }
    }
    if (!sock->end_of_message()) {
        raise(ErrorKind::IO, "Failed to send the command to the daemon.");
    }
}

// The value of one configuration name in a remote daemon; None if it has none.
py::object remote_param(const std::string &address, const std::string &name) {
    std::string value;
    bool found = false;
    {
        LibraryLock lock(true);
        std::unique_ptr<Sock> sock = start_command(address, DT_GENERIC, DC_CONFIG_VAL, 30);
        std::string n = name;
        if (!sock->code(n) || !sock->end_of_message()) {
            raise(ErrorKind::IO, "Failed to send the request to the remote daemon.");
        }
        sock->decode();
        // The reply is the expanded value (a null string when undefined), then the raw value,
        // its source and default, which we do not need.
        char *raw = nullptr;
        if (!sock->get_nullstr(raw)) {
            raise(ErrorKind::IO, "Failed to receive the value from the remote daemon.");
        }
        found = raw != nullptr;
        if (raw) {
            value = raw;
            free(raw);
        }
        sock->end_of_message();  // discards the rest of the reply
    }
    return found ? py::object(py::str(value)) : py::none();
}

void remote_set_param(const std::string &address, const std::string &name, const std::string &value) {
    if (!is_valid_param_name(name.c_str())) {
        raise(ErrorKind::Value, "Invalid configuration parameter name: " + name);
    }
    int reply = -1;
    {
        LibraryLock lock(true);
        std::unique_ptr<Sock> sock = start_command(address, DT_GENERIC, DC_CONFIG_RUNTIME, 30);
        std::string n = name;
        // An empty config line unsets the name (the daemon checks the name itself then).
        std::string line = value.empty() ? std::string() : name + " = " + value;
        if (!sock->code(n) || !sock->code(line) || !sock->end_of_message()) {
            raise(ErrorKind::IO, "Failed to send the configuration to the remote daemon.");
        }
        sock->decode();
        if (!sock->code(reply) || !sock->end_of_message()) {
            raise(ErrorKind::IO, "Failed to receive the reply of the remote daemon.");
        }
    }
    if (reply < 0) {
        raise(ErrorKind::Reply, "The remote daemon refused to set " + name + " (is ENABLE_RUNTIME_CONFIG on?).");
    }
}

py::list remote_param_names(const std::string &address) {
    std::vector<std::string> names;
    {
        LibraryLock lock(true);
        std::unique_ptr<Sock> sock = start_command(address, DT_GENERIC, DC_CONFIG_VAL, 30);
        std::string request = "?names";
        if (!sock->code(request) || !sock->end_of_message()) {
            raise(ErrorKind::IO, "Failed to send the request to the remote daemon.");
        }
        sock->decode();
        std::string name;
        while (sock->code(name)) {
            if (name.empty()) {
                break;
            }
            names.push_back(name);
            name.clear();
        }
        sock->end_of_message();
    }
    py::list out;
    for (const auto &n : names) {
        if (!n.empty() && n[0] != '!') {  // '!' marks an error reply
            out.append(n);
        }
    }
    return out;
}

py::list table(std::initializer_list<std::pair<const char *, long long>> members) {
    py::list out;
    for (const auto &[name, value] : members) {
        out.append(py::make_tuple(name, value));
    }
    return out;
}

}  // namespace

void register_collector(py::module_ &m) {
    m.def("_collector_query", &collector_query);
    m.def("_collector_query_columns", &collector_query_columns);
    m.def("_advertise", &advertise);
    m.def("_send_command", &send_command);
    m.def("_send_alive", &send_alive);
    m.def("_remote_param", &remote_param);
    m.def("_remote_set_param", &remote_set_param);
    m.def("_remote_param_names", &remote_param_names);
    m.def("_ad_type_name", [](int ad_type) {
        const char *name = AdTypeToString(static_cast<AdTypes>(ad_type));
        return std::string(name ? name : "");
    });
    m.def("set_subsystem", [](const std::string &name, int type) {
        LibraryLock lock;
        set_mySubSystem(name.c_str(), false, static_cast<SubsystemType>(type));
        SubsystemInfo *info = get_mySubSystem();
        if (info->isDaemon()) {
            info->setIsTrusted(true);
        }
    }, py::arg("subsystem"), py::arg("type") = static_cast<int>(SUBSYSTEM_TYPE_AUTO));

    py::dict tables = m.attr("_enum_tables");
    tables["AdTypes"] = table({
        {"None", NO_AD}, {"Startd", STARTD_AD}, {"Schedd", SCHEDD_AD}, {"Master", MASTER_AD},
        {"StartdPrivate", STARTD_PVT_AD}, {"Submitter", SUBMITTOR_AD}, {"Collector", COLLECTOR_AD},
        {"License", LICENSE_AD}, {"Any", ANY_AD}, {"Negotiator", NEGOTIATOR_AD}, {"HAD", HAD_AD},
        {"Generic", GENERIC_AD}, {"Credd", CREDD_AD}, {"Grid", GRID_AD}, {"Defrag", DEFRAG_AD},
        {"Accounting", ACCOUNTING_AD}, {"Slot", SLOT_AD}, {"StartDaemon", STARTDAEMON_AD},
    });
    tables["DaemonCommands"] = table({
        {"DaemonsOn", DAEMONS_ON}, {"DaemonsOff", DAEMONS_OFF}, {"DaemonsOffFast", DAEMONS_OFF_FAST},
        {"DaemonsOffPeaceful", DAEMONS_OFF_PEACEFUL}, {"DaemonOn", DAEMON_ON}, {"DaemonOff", DAEMON_OFF},
        {"DaemonOffFast", DAEMON_OFF_FAST}, {"DaemonOffPeaceful", DAEMON_OFF_PEACEFUL},
        {"OffGraceful", DC_OFF_GRACEFUL}, {"OffPeaceful", DC_OFF_PEACEFUL}, {"OffFast", DC_OFF_FAST},
        {"OffForce", DC_OFF_FORCE}, {"SetPeacefulShutdown", DC_SET_PEACEFUL_SHUTDOWN},
        {"SetForceShutdown", DC_SET_FORCE_SHUTDOWN}, {"Reconfig", DC_RECONFIG_FULL}, {"Restart", RESTART},
        {"RestartPeacful", RESTART_PEACEFUL},  // sic: v1's spelling
    });
    tables["SubsystemType"] = table({
        {"Master", SUBSYSTEM_TYPE_MASTER}, {"Collector", SUBSYSTEM_TYPE_COLLECTOR},
        {"Negotiator", SUBSYSTEM_TYPE_NEGOTIATOR}, {"Schedd", SUBSYSTEM_TYPE_SCHEDD},
        {"Shadow", SUBSYSTEM_TYPE_SHADOW}, {"Startd", SUBSYSTEM_TYPE_STARTD}, {"Starter", SUBSYSTEM_TYPE_STARTER},
        {"GAHP", SUBSYSTEM_TYPE_GAHP}, {"Dagman", SUBSYSTEM_TYPE_DAGMAN}, {"SharedPort", SUBSYSTEM_TYPE_SHARED_PORT},
        {"Daemon", SUBSYSTEM_TYPE_DAEMON}, {"Tool", SUBSYSTEM_TYPE_TOOL}, {"Submit", SUBSYSTEM_TYPE_SUBMIT},
        {"Job", SUBSYSTEM_TYPE_JOB},
    });
    tables["LogLevel"] = table({
        {"Always", D_ALWAYS}, {"Error", D_ERROR}, {"Status", D_STATUS}, {"Job", D_JOB}, {"Machine", D_MACHINE},
        {"Config", D_CONFIG}, {"Protocol", D_PROTOCOL}, {"Priv", D_PRIV}, {"DaemonCore", D_DAEMONCORE},
        {"Security", D_SECURITY}, {"Network", D_NETWORK}, {"Hostname", D_HOSTNAME}, {"Audit", D_AUDIT},
        {"Terse", D_TERSE}, {"Verbose", D_VERBOSE}, {"FullDebug", D_FULLDEBUG}, {"SubSecond", D_SUB_SECOND},
        {"Timestamp", D_TIMESTAMP}, {"PID", D_PID}, {"NoHeader", static_cast<int>(D_NOHEADER)},
    });
}

}  // namespace htcpb

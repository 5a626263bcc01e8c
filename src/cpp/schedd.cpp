// SPDX-License-Identifier: Apache-2.0
// Talking to a schedd: locating it, job queue connections (transactions, submit, edit),
// queries, job actions, and streams of ads (xquery, history).  Argument handling and the
// iterator/context-manager protocols are Python (htcondor/_schedd.py).
#include "bindings.h"
#include "daemon_helpers.h"
#include "submit.h"
#include "columns.h"

#include "condor_attributes.h"
#include "condor_commands.h"
#include "condor_q.h"
#include "condor_qmgr.h"
#include "classad_oldnew.h"
#include "condor_config.h"
#include "daemon.h"
#include "dc_schedd.h"
#include "enum_utils.h"
#include "daemon_types.h"
#include "reli_sock.h"

extern ReliSock *qmgmt_sock;  // the process's one job-queue connection (qmgr_lib_support.cpp)

namespace htcpb {

namespace {




// One queue (qmgmt) connection to a schedd: a transaction.  libcondor_utils keeps one such
// connection per process, so a second one while this is open is refused.
class QueueConnection {
public:
    explicit QueueConnection(const std::string &address) {
        queue_gate::acquire();
        try {
            LibraryLock lock(true);  // connects and authenticates: release the GIL
            DCSchedd schedd(address.c_str());
            CondorError err;
            // Connecting, security handshake included, gives up after Q_QUERY_TIMEOUT (v1 passed
            // no timeout and hung on a schedd that accepts but never answers).  The steps of the
            // transaction then get the library's own queue-operation timeout: committing a large
            // transaction can keep the schedd busy for a while.
            const int timeout = param_integer("Q_QUERY_TIMEOUT", 20);
            qmgr_ = ConnectQ(schedd, timeout, false, &err);
            if (!qmgr_ && session_rejected(err)) {
                err.clear();
                qmgr_ = ConnectQ(schedd, timeout, false, &err);
            }
            if (!qmgr_) {
                raise(ErrorKind::IO, "Failed to connect to schedd." + error_text(err));
            }
            qmgmt_sock->timeout(std::max(timeout, SHADOW_QMGMT_TIMEOUT));
        } catch (...) {
            queue_gate::release();
            throw;
        }
    }

    ~QueueConnection() {
        try {
            abort();
        } catch (...) {
            // Never let a failed abort escape a destructor.
        }
    }

    bool active() const { return qmgr_ != nullptr; }

    int new_cluster() {
        check();
        LibraryLock lock(true);
        cluster_ = NewCluster();
        if (cluster_ < 0) {
            raise(ErrorKind::IO, cluster_ == -1 ? "Failed to create new cluster: permission denied."
                                                : "Failed to create new cluster.");
        }
        return cluster_;
    }

    // Build and send the jobs of a submit description into a new cluster.
    py::tuple submit(SubmitDescription &desc, JobPlan plan, bool keep_ads, bool spool) {
        check();
        std::vector<AdPtr> ads;
        AdPtr cluster_ad;
        int made;
        std::vector<std::string> warnings;
        {
            LibraryLock lock(true);
            plan.cluster = NewCluster();
            if (plan.cluster < 0) {
                raise(ErrorKind::IO, "Failed to create new cluster.");
            }
            cluster_ = plan.cluster;
            CondorError err;
            AdSink sink;
            const int cluster = plan.cluster;
            sink.new_proc = [cluster] { return NewProc(cluster); };
            sink.on_ad = [&](ClassAd &ad, bool first) {
                if (first) {
                    if (classad::ClassAd *parent = ad.GetChainedParentAd()) {
                        if (SendJobAttributes(JOB_ID_KEY(cluster, -1), *parent, SetAttribute_NoAck, &err, "Submit") < 0) {
                            raise(ErrorKind::IO, "Failed to send the cluster ad." + error_text(err));
                        }
                    }
                }
                JOB_ID_KEY jid(cluster, 0);
                ad.LookupInteger(ATTR_PROC_ID, jid.proc);
                if (spool) {
                    prepare_for_spool(ad);
                }
                if (SendJobAttributes(jid, ad, SetAttribute_NoAck, &err, "Submit") < 0) {
                    raise(ErrorKind::IO, "Failed to send job attributes." + error_text(err));
                }
                if (keep_ads) {
                    auto copy = std::make_shared<classad::ClassAd>();
                    copy->CopyFromChain(ad);
                    ads.push_back(std::move(copy));
                }
            };
            made = desc.make_jobs(plan, sink);
            if (ClassAd *cad = desc.cluster_ad()) {
                cluster_ad = std::make_shared<classad::ClassAd>(*cad);
            }
            warnings = desc.take_warnings();
        }
        py::object cad = cluster_ad ? py::cast(cluster_ad) : py::none();
        return py::make_tuple(plan.cluster, made, cad, to_list(ads), warnings);
    }

    void set_attribute(const std::string &constraint_or_id, const std::string &attr, const std::string &value,
                       unsigned flags, bool is_id, int cluster, int proc) {
        check();
        LibraryLock lock(true);
        int rv;
        if (is_id) {
            rv = SetAttribute(cluster, proc, attr.c_str(), value.c_str(), flags);
        } else {
            rv = SetAttributeByConstraint(constraint_or_id.c_str(), attr.c_str(), value.c_str(), flags);
        }
        if (rv < 0) {
            raise(ErrorKind::IO, "Unable to edit job attribute " + attr + " (" +
                                     (is_id ? std::to_string(cluster) + "." + std::to_string(proc) : constraint_or_id) +
                                     "): the schedd refused or no job matched.");
        }
    }

    void commit(unsigned flags) {
        check();
        CondorError err;
        int commit_rv;
        bool disconnect_failed;
        {
            LibraryLock lock(true);
            commit_rv = RemoteCommitTransaction(flags, &err);
            disconnect_failed = !DisconnectQ(qmgr_, commit_rv == 0, &err);
            qmgr_ = nullptr;
        }
        queue_gate::release();
        if (commit_rv != 0 || disconnect_failed) {
            raise(ErrorKind::IO, "Failed to commit ongoing transaction" +
                                     std::string(commit_rv != 0 ? " (the schedd refused the commit, code " +
                                                                      std::to_string(commit_rv) + ")"
                                                                : " (disconnecting failed)") +
                                     "." + error_text(err));
        }
    }

    void abort() {
        if (!qmgr_) {
            return;
        }
        {
            LibraryLock lock(true);
            AbortTransaction();
            DisconnectQ(qmgr_, false);
            qmgr_ = nullptr;
        }
        queue_gate::release();
    }

    int cluster() const { return cluster_; }

private:
    void check() const {
        if (!qmgr_) {
            raise(ErrorKind::IO, "The transaction is no longer open.");
        }
    }

    Qmgr_connection *qmgr_ = nullptr;
    int cluster_ = -1;
};


std::vector<AdPtr> fetch_jobs(const std::string &address, const std::string &constraint,
                              const std::vector<std::string> &projection, int limit, int opts) {
    std::vector<AdPtr> ads;
    {
        ScheddLock lock;  // network round trip
        CondorQ q;
        q.init();  // Q_QUERY_TIMEOUT, as condor_q (v1 always waited 20 s)
        q.requestServerTime(true);
        if (!constraint.empty() && q.addAND(constraint.c_str()) != Q_OK) {
            raise(ErrorKind::Value, "Invalid constraint.");
        }
        CondorError err;
        ClassAd *summary = nullptr;
        int rv = q.fetchQueueFromHostAndProcess(address.c_str(), projection, opts, limit, collect_ad, &ads, 2, &err,
                                                &summary);
        if (rv == Q_SCHEDD_COMMUNICATION_ERROR && ads.empty() && !summary && session_rejected(err)) {
            err.clear();
            rv = q.fetchQueueFromHostAndProcess(address.c_str(), projection, opts, limit, collect_ad, &ads, 2, &err,
                                                &summary);
        }
        if (summary) {
            if (opts & fetch_SummaryOnly) {
                ads.emplace_back(summary);
            } else {
                delete summary;
            }
        }
        if (rv == Q_PARSE_ERROR || rv == Q_INVALID_CATEGORY) {
            raise(ErrorKind::Value, "Invalid constraint.");
        }
        if (rv == Q_UNSUPPORTED_OPTION_ERROR) {
            raise(ErrorKind::IO, "Query fetch option unsupported by this schedd.");
        }
        if (rv != Q_OK) {
            raise(ErrorKind::IO, "Failed to fetch ads from schedd, errmsg=" + err.getFullText());
        }
    }
    return ads;
}

py::list query(const std::string &address, const std::string &constraint, const std::vector<std::string> &projection,
               int limit, int opts) {
    std::vector<AdPtr> ads = fetch_jobs(address, constraint, projection, limit, opts);
    return to_list(ads);
}

py::dict query_columns(const std::string &address, const std::string &constraint,
                       const std::vector<std::string> &projection, int limit, int opts) {
    ColumnBuilder builder(projection);
    std::vector<AdPtr> ads = fetch_jobs(address, constraint, projection, limit, opts);
    builder.consume(ads);
    return builder.finish();
}

AdPtr act(const std::string &address, int action, const std::string &constraint, const std::vector<std::string> &ids,
          const std::string &reason, const std::string &reason_code) {
    ClassAd *result = nullptr;
    CondorError err;
    {
        ScheddLock lock;
        DCSchedd schedd(address.c_str());
        const bool by_ids = !ids.empty();
        const char *c = constraint.c_str();
        const char *r = reason.c_str();
        for (int attempt = 0; attempt < 2; ++attempt) {  // again after a rejected session
            err.clear();
            switch (action) {
            case JA_HOLD_JOBS:
                result = by_ids ? schedd.holdJobs(ids, r, reason_code.empty() ? nullptr : reason_code.c_str(), &err, AR_TOTALS)
                                : schedd.holdJobs(c, r, reason_code.empty() ? nullptr : reason_code.c_str(), &err, AR_TOTALS);
                break;
            case JA_RELEASE_JOBS:
                result = by_ids ? schedd.releaseJobs(ids, r, &err, AR_TOTALS) : schedd.releaseJobs(c, r, &err, AR_TOTALS);
                break;
            case JA_REMOVE_JOBS:
                result = by_ids ? schedd.removeJobs(ids, r, &err, AR_TOTALS) : schedd.removeJobs(c, r, &err, AR_TOTALS);
                break;
            case JA_REMOVE_X_JOBS:
                result = by_ids ? schedd.removeXJobs(ids, r, &err, AR_TOTALS) : schedd.removeXJobs(c, r, &err, AR_TOTALS);
                break;
            case JA_VACATE_JOBS:
            case JA_VACATE_FAST_JOBS: {
                const VacateType type = action == JA_VACATE_JOBS ? VACATE_GRACEFUL : VACATE_FAST;
                result = by_ids ? schedd.vacateJobs(ids, type, &err, AR_TOTALS) : schedd.vacateJobs(c, type, &err, AR_TOTALS);
                break;
            }
            case JA_SUSPEND_JOBS:
                result = by_ids ? schedd.suspendJobs(ids, r, &err, AR_TOTALS) : schedd.suspendJobs(c, r, &err, AR_TOTALS);
                break;
            case JA_CONTINUE_JOBS:
                result = by_ids ? schedd.continueJobs(ids, r, &err, AR_TOTALS) : schedd.continueJobs(c, r, &err, AR_TOTALS);
                break;
            default:
                raise(ErrorKind::Enum, "Job action not implemented.");
            }
            if (result || !session_rejected(err)) {
                break;
            }
        }
    }
    if (!result) {
        raise(ErrorKind::Reply, "Error when performing action on the schedd." + error_text(err));
    }
    // v1's names for the per-outcome totals (result_total_<action_result_t>).
    std::unique_ptr<ClassAd> raw(result);
    auto out = std::make_shared<classad::ClassAd>();
    static const char *const totals[] = {"TotalError", "TotalSuccess", "TotalNotFound", "TotalBadStatus",
                                         "TotalAlreadyDone", "TotalPermissionDenied"};
    for (int i = 0; i < 6; ++i) {
        long long n = 0;
        raw->EvaluateAttrInt("result_total_" + std::to_string(i), n);
        out->InsertAttr(totals[i], n);
    }
    long long n = 0;
    raw->EvaluateAttrInt("TotalJobAds", n);
    out->InsertAttr("TotalJobAds", n);
    n = 0;
    raw->EvaluateAttrInt("ActionResult", n);
    out->InsertAttr("TotalChangedAds", n);
    return out;
}

// A stream of ads answering one command (QUERY_JOB_ADS for xquery, QUERY_SCHEDD_HISTORY for
// history): the request ad goes out, ads come back until a final ad with Owner == 0.
class AdStream {
public:
    AdStream(const std::string &address, int command, const classad::ClassAd &request, int timeout)
        // Job queries end a message after every ad; history streams only if their header says so.
        : timeout_(timeout), eom_each_(command == QUERY_JOB_ADS) {
        ScheddLock lock;
        Daemon schedd(DT_SCHEDD, address.c_str(), nullptr);
        CondorError err;
        sock_.reset(schedd.startCommand(command, Stream::reli_sock, timeout, &err));
        if (!sock_ && session_rejected(err)) {
            err.clear();
            sock_.reset(schedd.startCommand(command, Stream::reli_sock, timeout, &err));
        }
        if (!sock_) {
            raise(ErrorKind::IO, "Failed to connect to schedd." + error_text(err));
        }
        if (!putClassAd(sock_.get(), request) || !sock_->end_of_message()) {
            sock_.reset();
            raise(ErrorKind::IO, "Failed to send the request to the schedd.");
        }
        sock_->decode();
    }

    ~AdStream() {
        LibraryLock lock;  // closing the socket is library code
        sock_.reset();
    }

    // The next ad; None when `wait` is false and nothing is ready, or at the end (see done).
    py::object next(bool wait) {
        auto ad = std::make_shared<classad::ClassAd>();
        switch (step(wait, *ad)) {
        case Step::Ad:
            return py::cast(ad);
        case Step::End:
            finish(*ad);
            return py::none();
        default:
            return py::none();
        }
    }

    // Every remaining ad, as columns (no Python object per ad).
    py::dict columns(const std::vector<std::string> &projection) {
        ColumnBuilder builder(projection);
        while (true) {
            classad::ClassAd ad;
            const Step s = step(true, ad);
            if (s == Step::End) {
                finish(ad);
                break;
            }
            if (s != Step::Ad) {
                break;
            }
            py::gil_scoped_release nogil;
            builder.add(ad);
        }
        return builder.finish();
    }

    bool done() const { return done_; }
    int fd() const { return sock_ ? sock_->get_file_desc() : -1; }
    long long count() const { return count_; }
    long long expected() const { return expected_; }

    void close() {
        LibraryLock lock;
        sock_.reset();
        done_ = true;
    }

private:
    enum class Step { None, Ad, End };

    // Reads the next ad into `ad`: Ad, End (the final ad, which finish() reads), or None
    // (nothing ready without waiting, or already done).
    Step step(bool wait, classad::ClassAd &ad) {
        if (done_ || !sock_) {
            done_ = true;
            return Step::None;
        }
        while (true) {
            ad.Clear();
            long long owner = -1;
            {
                LibraryLock lock(true);
                if (!wait && !sock_->readReady() && !sock_->msgReady()) {
                    return Step::None;
                }
                sock_->timeout(timeout_);
                if (!getClassAd(sock_.get(), ad)) {
                    fail();
                }
                // Control ads carry an integer Owner: 1 opens a history stream (saying whether
                // each ad ends its message), 0 closes every stream.
                const bool control = ad.EvaluateAttrInt(ATTR_OWNER, owner) && (owner == 0 || owner == 1);
                if ((control || eom_each_) && !sock_->end_of_message()) {
                    fail();
                }
                if (control && owner == 1) {
                    bool stream = true;
                    eom_each_ = ad.EvaluateAttrBool("StreamResults", stream) ? stream : true;
                    continue;
                }
                if (!control) {
                    owner = -1;
                }
            }
            if (owner == 0) {
                return Step::End;
            }
            ++count_;
            return Step::Ad;
        }
    }

    // Called with the library lock held.
    [[noreturn]] void fail() {
        sock_.reset();
        done_ = true;
        raise(ErrorKind::IO, "Failed to receive ads from the schedd (timeout or connection lost).");
    }

    void finish(const classad::ClassAd &last) {
        {
            LibraryLock lock;
            sock_.reset();
        }
        done_ = true;
        long long code = 0;
        std::string message;
        last.EvaluateAttrInt(ATTR_ERROR_CODE, code);
        if (code) {
            last.EvaluateAttrString(ATTR_ERROR_STRING, message);
            raise(ErrorKind::IO, "The schedd reported an error (" + std::to_string(code) + "): " + message);
        }
        long long malformed = 0;
        if (last.EvaluateAttrInt("MalformedAds", malformed) && malformed) {
            raise(ErrorKind::Reply, "The schedd sent malformed ads.");
        }
        last.EvaluateAttrInt("NumJobMatches", expected_);
    }

    std::unique_ptr<Sock> sock_;
    int timeout_;
    bool done_ = false;
    bool eom_each_;
    long long count_ = 0;
    long long expected_ = -1;
};

py::dict locate(int daemon_type, const std::string &name, const std::string &pool) {
    std::string addr, dname, version;
    {
        LibraryLock lock(true);
        Daemon d(static_cast<daemon_t>(daemon_type), name.empty() ? nullptr : name.c_str(),
                 pool.empty() ? nullptr : pool.c_str());
        if (!d.locate()) {
            raise(ErrorKind::Locate, "Unable to locate local daemon" +
                                         (d.error() ? std::string(": ") + d.error() : std::string()));
        }
        addr = d.addr() ? d.addr() : "";
        dname = d.name() ? d.name() : "";
        version = d.version() ? d.version() : "";
    }
    py::dict out;
    out["address"] = addr;
    out["name"] = dname;
    out["version"] = version;
    return out;
}

}  // namespace

void register_schedd(py::module_ &m) {
    py::class_<QueueConnection>(m, "_QueueConnection")
        .def(py::init<const std::string &>(), py::arg("address"))
        .def_property_readonly("active", &QueueConnection::active)
        .def_property_readonly("cluster", &QueueConnection::cluster)
        .def("new_cluster", &QueueConnection::new_cluster)
        .def("submit",
             [](QueueConnection &self, SubmitDescription &desc, int count, int first_proc, int cluster_hint,
                std::vector<std::string> vars, std::vector<std::vector<std::string>> rows, bool keep_ads,
                const std::string &schedd_version, bool spool) {
                 JobPlan plan;
                 plan.count = count;
                 plan.first_proc = first_proc;
                 plan.cluster = cluster_hint;
                 plan.vars = std::move(vars);
                 plan.rows = std::move(rows);
                 plan.schedd_version = schedd_version;
                 return self.submit(desc, std::move(plan), keep_ads, spool);
             },
             py::arg("desc"), py::arg("count"), py::arg("first_proc"), py::arg("cluster_hint"), py::arg("vars"),
             py::arg("rows"), py::arg("keep_ads"), py::arg("schedd_version"), py::arg("spool") = false)
        .def("set_attribute", &QueueConnection::set_attribute)
        .def("commit", &QueueConnection::commit, py::arg("flags") = 0)
        .def("abort", &QueueConnection::abort);

    py::class_<AdStream>(m, "_AdStream")
        .def(py::init([](const std::string &address, int command, const AdPtr &request, int timeout) {
                 return std::make_unique<AdStream>(address, command, *request, timeout);
             }),
             py::arg("address"), py::arg("command"), py::arg("request"), py::arg("timeout") = 20)
        .def("next", &AdStream::next, py::arg("wait") = true)
        .def("columns", &AdStream::columns, py::arg("projection"))
        .def_property_readonly("done", &AdStream::done)
        .def_property_readonly("fd", &AdStream::fd)
        .def_property_readonly("count", &AdStream::count)
        .def_property_readonly("expected", &AdStream::expected)
        .def("close", &AdStream::close);

    m.def("_locate", &locate, py::arg("daemon_type"), py::arg("name") = "", py::arg("pool") = "");
    m.def("_query", &query);
    m.def("_query_columns", &query_columns);
    m.def("_act", &act);
    m.def("_reschedule", [](const std::string &address) {
        ScheddLock lock;
        DCSchedd schedd(address.c_str());
        // Failure is only logged, as in v1: a missed reschedule delays matching, nothing more.
        schedd.sendCommand(RESCHEDULE, Stream::safe_sock, 0);
    });
    m.attr("QUERY_JOB_ADS") = static_cast<int>(QUERY_JOB_ADS);
    m.attr("QUERY_SCHEDD_HISTORY") = static_cast<int>(QUERY_SCHEDD_HISTORY);

    py::dict tables = m.attr("_enum_tables");
    tables["JobAction"] = py::make_tuple(
        py::make_tuple("Hold", static_cast<int>(JA_HOLD_JOBS)), py::make_tuple("Release", static_cast<int>(JA_RELEASE_JOBS)),
        py::make_tuple("Remove", static_cast<int>(JA_REMOVE_JOBS)),
        py::make_tuple("RemoveX", static_cast<int>(JA_REMOVE_X_JOBS)),
        py::make_tuple("Vacate", static_cast<int>(JA_VACATE_JOBS)),
        py::make_tuple("VacateFast", static_cast<int>(JA_VACATE_FAST_JOBS)),
        py::make_tuple("Suspend", static_cast<int>(JA_SUSPEND_JOBS)),
        py::make_tuple("Continue", static_cast<int>(JA_CONTINUE_JOBS)));
    tables["VacateTypes"] = py::make_tuple(py::make_tuple("Graceful", static_cast<int>(VACATE_GRACEFUL)),
                                           py::make_tuple("Fast", static_cast<int>(VACATE_FAST)));
    tables["TransactionFlags"] = py::make_tuple(
        py::make_tuple("None", 0), py::make_tuple("NonDurable", static_cast<int>(NONDURABLE)),
        py::make_tuple("SetDirty", static_cast<int>(SetAttribute_SetDirty)),
        py::make_tuple("ShouldLog", static_cast<int>(SHOULDLOG)));
    tables["QueryOpts"] = py::make_tuple(
        py::make_tuple("Default", static_cast<int>(fetch_Jobs)),
        py::make_tuple("AutoCluster", static_cast<int>(fetch_DefaultAutoCluster)),
        py::make_tuple("GroupBy", static_cast<int>(fetch_GroupBy)),
        py::make_tuple("DefaultMyJobsOnly", static_cast<int>(fetch_MyJobs)),
        py::make_tuple("SummaryOnly", static_cast<int>(fetch_SummaryOnly)),
        py::make_tuple("IncludeClusterAd", static_cast<int>(fetch_IncludeClusterAd)),
        py::make_tuple("IncludeJobsetAds", static_cast<int>(fetch_IncludeJobsetAds)),
        py::make_tuple("ClusterAds", static_cast<int>(fetch_ClusterAds)),
        py::make_tuple("JobsetAds", static_cast<int>(fetch_JobsetAds)));
    tables["DaemonTypes"] = py::make_tuple(
        py::make_tuple("None", static_cast<int>(DT_NONE)), py::make_tuple("Any", static_cast<int>(DT_ANY)),
        py::make_tuple("Master", static_cast<int>(DT_MASTER)), py::make_tuple("Schedd", static_cast<int>(DT_SCHEDD)),
        py::make_tuple("Startd", static_cast<int>(DT_STARTD)), py::make_tuple("Collector", static_cast<int>(DT_COLLECTOR)),
        py::make_tuple("Negotiator", static_cast<int>(DT_NEGOTIATOR)), py::make_tuple("Credd", static_cast<int>(DT_CREDD)),
        py::make_tuple("HAD", static_cast<int>(DT_HAD)), py::make_tuple("Generic", static_cast<int>(DT_GENERIC)));
}

}  // namespace htcpb

// SPDX-License-Identifier: Apache-2.0
// Schedd operations that move job sandboxes or jobs: spool/retrieve, export/import/unexport,
// proxy refresh, and raw-ClassAd submission (submitMany).
#include "bindings.h"
#include "daemon_helpers.h"

#include "basename.h"
#include "condor_attributes.h"
#include "condor_config.h"
#include "condor_holdcodes.h"
#include "condor_qmgr.h"
#include "classad_helpers.h"
#include "dc_schedd.h"
#include "globus_utils.h"
#include "my_username.h"
#include "proc.h"

namespace htcpb {

namespace {



// A job sent with spool=True waits, held, until its input files arrive (Schedd.spool), and its
// output stays in the spool until retrieved; stdout/stderr are renamed there and remapped back.
void remap_for_spool(classad::ClassAd &ad, const char *attr, const char *stream_attr, const char *spool_name) {
    bool streamed = false;
    ad.EvaluateAttrBool(stream_attr, streamed);
    std::string path;
    if (streamed || !ad.EvaluateAttrString(attr, path) || path == "/dev/null" || path == condor_basename(path.c_str())) {
        return;
    }
    std::string clean;
    for (char c : path) {
        if (c != '\\' && c != ';' && c != '=') {
            clean += c;
        }
    }
    ad.InsertAttr(attr, spool_name);
    std::string remaps;
    ad.EvaluateAttrString(ATTR_TRANSFER_OUTPUT_REMAPS, remaps);
    if (!remaps.empty()) {
        remaps += ";";
    }
    remaps += std::string(spool_name) + "=" + clean;
    ad.InsertAttr(ATTR_TRANSFER_OUTPUT_REMAPS, remaps);
}

AdPtr checked(ClassAd *result, const CondorError &err, const char *what) {
    if (!result) {
        raise(ErrorKind::IO, std::string(what) + " failed." + error_text(err));
    }
    return AdPtr(result);
}

}  // namespace

void prepare_for_spool(classad::ClassAd &ad) {
    ad.InsertAttr(ATTR_JOB_STATUS, HELD);
    ad.InsertAttr(ATTR_HOLD_REASON, "Spooling input data files");
    ad.InsertAttr(ATTR_HOLD_REASON_CODE, static_cast<int>(CONDOR_HOLD_CODE::SpoolingInput));
    // Keep finished jobs (and their output) in the queue for ten days, or until retrieved.
    classad::ClassAdParser parser;
    classad::ExprTree *leave = parser.ParseExpression(
        "JobStatus == 4 && (CompletionDate =?= undefined || CompletionDate == 0 || "
        "((time() - CompletionDate) < 864000))");
    if (leave) {
        ad.Insert(ATTR_JOB_LEAVE_IN_QUEUE, leave);
    }
    remap_for_spool(ad, ATTR_JOB_OUTPUT, ATTR_STREAM_OUTPUT, "_condor_stdout");
    remap_for_spool(ad, ATTR_JOB_ERROR, ATTR_STREAM_ERROR, "_condor_stderr");
}

void register_schedd_files(py::module_ &m) {
    m.def("_spool", [](const std::string &address, const std::vector<AdPtr> &ads) {
        std::vector<ClassAd *> raw;
        for (const auto &ad : ads) {
            raw.push_back(ad.get());
        }
        CondorError err;
        bool ok;
        {
            ScheddLock lock;  // uploads the input sandboxes
            DCSchedd schedd(address.c_str());
            ok = schedd.spoolJobFiles(static_cast<int>(raw.size()), raw.data(), &err);
        }
        if (!ok) {
            raise(ErrorKind::IO, "Failed to spool job files." + error_text(err));
        }
    });

    m.def("_retrieve", [](const std::string &address, const std::string &constraint) {
        CondorError err;
        bool ok;
        {
            ScheddLock lock;  // downloads the output sandboxes
            DCSchedd schedd(address.c_str());
            ok = schedd.receiveJobSandbox(constraint.c_str(), &err);
        }
        if (!ok) {
            raise(ErrorKind::IO, "Failed to retrieve job sandboxes." + error_text(err));
        }
    });

    m.def("_export", [](const std::string &address, const std::string &constraint, const std::vector<std::string> &ids,
                        const std::string &export_dir, const std::string &new_spool_dir) {
        CondorError err;
        ClassAd *result;
        {
            ScheddLock lock;
            DCSchedd schedd(address.c_str());
            const char *spool = new_spool_dir.empty() ? nullptr : new_spool_dir.c_str();
            result = ids.empty() ? schedd.exportJobs(constraint.c_str(), export_dir.c_str(), spool, &err)
                                 : schedd.exportJobs(ids, export_dir.c_str(), spool, &err);
        }
        return checked(result, err, "Exporting jobs");
    });

    m.def("_import", [](const std::string &address, const std::string &import_dir) {
        CondorError err;
        ClassAd *result;
        {
            ScheddLock lock;
            DCSchedd schedd(address.c_str());
            result = schedd.importExportedJobResults(import_dir.c_str(), &err);
        }
        // v1 never raises here: it returns whatever reply ad came back (empty if none).
        return result ? AdPtr(result) : std::make_shared<classad::ClassAd>();
    });

    m.def("_unexport", [](const std::string &address, const std::string &constraint, const std::vector<std::string> &ids) {
        CondorError err;
        ClassAd *result;
        {
            ScheddLock lock;
            DCSchedd schedd(address.c_str());
            result = ids.empty() ? schedd.unexportJobs(constraint.c_str(), &err) : schedd.unexportJobs(ids, &err);
        }
        return checked(result, err, "Unexporting jobs");
    });

    m.def("_refresh_proxy", [](const std::string &address, int cluster, int proc, const std::string &proxy, int lifetime) {
        CondorError err;
        long long left = -1;
        {
            ScheddLock lock;
            DCSchedd schedd(address.c_str());
            if (param_boolean("DELEGATE_JOB_GSI_CREDENTIALS", true)) {
                if (lifetime < 0) {
                    lifetime = param_integer("DELEGATE_JOB_GSI_CREDENTIALS_LIFETIME", 0);
                }
                time_t expiry = lifetime ? time(nullptr) + lifetime : 0;
                time_t result = 0;
                if (schedd.delegateGSIcredential(cluster, proc, proxy.c_str(), expiry, &result, &err)) {
                    left = result ? static_cast<long long>(result - time(nullptr)) : 0;
                }
            } else if (schedd.updateGSIcredential(cluster, proc, proxy.c_str(), &err)) {
                const time_t expiry = x509_proxy_expiration_time(proxy.c_str());
                left = expiry > 0 ? static_cast<long long>(expiry - time(nullptr)) : 0;
            }
        }
        if (left < 0) {
            raise(ErrorKind::IO, "Failed to refresh the job's X.509 proxy." + error_text(err));
        }
        return left;
    });

    // Raw-ClassAd submission: one cluster ad, then (proc ad, count) pairs.  The cluster ad starts
    // from HTCondor's default vanilla job ad, as v1's did.
    m.def("_submit_many", [](const std::string &address, const AdPtr &cluster_template,
                             const std::vector<std::pair<AdPtr, int>> &procs, bool spool, bool keep_ads) {
        std::vector<AdPtr> results;
        int cluster;
        queue_gate::acquire();
        struct Release {
            ~Release() { queue_gate::release(); }
        } release_gate;
        {
            LibraryLock lock(true);
            DCSchedd schedd(address.c_str());
            CondorError err;
            Qmgr_connection *q = ConnectQ(schedd, 0, false, &err);
            if (!q) {
                raise(ErrorKind::IO, "Failed to connect to schedd." + error_text(err));
            }
            try {
                char *me = my_username();
                std::unique_ptr<ClassAd> base(CreateJobAd(me ? me : "unknown", CONDOR_UNIVERSE_VANILLA, "/bin/echo"));
                free(me);
                char cwd[4096];
                if (getcwd(cwd, sizeof cwd)) {
                    base->InsertAttr(ATTR_JOB_IWD, cwd);
                }
                base->Update(*cluster_template);
                cluster = NewCluster();
                if (cluster < 0) {
                    raise(ErrorKind::IO, "Failed to create new cluster.");
                }
                base->InsertAttr(ATTR_CLUSTER_ID, cluster);
                if (SendJobAttributes(JOB_ID_KEY(cluster, -1), *base, SetAttribute_NoAck, &err, "Python") < 0) {
                    raise(ErrorKind::IO, "Failed to send the cluster ad." + error_text(err));
                }
                for (const auto &[proc_ad, count] : procs) {
                    for (int i = 0; i < std::max(count, 1); ++i) {
                        const int proc = NewProc(cluster);
                        if (proc < 0) {
                            raise(ErrorKind::IO, "Failed to create new proc ID.");
                        }
                        classad::ClassAd ad(*proc_ad);
                        ad.InsertAttr(ATTR_CLUSTER_ID, cluster);
                        ad.InsertAttr(ATTR_PROC_ID, proc);
                        if (spool) {
                            classad::ClassAd full(*base);
                            full.Update(ad);
                            prepare_for_spool(full);
                            ad = full;
                        }
                        if (SendJobAttributes(JOB_ID_KEY(cluster, proc), ad, SetAttribute_NoAck, &err, "Python") < 0) {
                            raise(ErrorKind::IO, "Failed to send job attributes." + error_text(err));
                        }
                        if (keep_ads) {
                            auto full = std::make_shared<classad::ClassAd>(*base);
                            full->Update(ad);
                            results.push_back(std::move(full));
                        }
                    }
                }
                const bool commit_failed = RemoteCommitTransaction(0, &err) != 0;
                const bool disconnected = DisconnectQ(q, !commit_failed, &err);
                q = nullptr;
                if (commit_failed || !disconnected) {
                    raise(ErrorKind::IO, "Failed to commit ongoing transaction." + error_text(err));
                }
            } catch (...) {
                if (q) {
                    AbortTransaction();
                    DisconnectQ(q, false);
                }
                throw;
            }
        }
        py::list out;
        for (auto &ad : results) {
            out.append(py::cast(std::move(ad)));
        }
        return py::make_tuple(cluster, out);
    });
}

}  // namespace htcpb

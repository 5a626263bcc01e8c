// SPDX-License-Identifier: Apache-2.0
// Submit descriptions, shared by submit.cpp (the description) and schedd.cpp (sending jobs).
#pragma once

#include "bindings.h"

#include "condor_config.h"
#include "submit_utils.h"

#include <functional>
#include <optional>
#include <set>
#include <vector>

namespace htcpb {

// The rows of a queue statement or of Python item data: variable names and one value per name.
struct ItemData {
    std::vector<std::string> vars;
    std::vector<std::vector<std::string>> rows;
    int count = 1;
};

// What to build: `count` procs per row of item data, in cluster `cluster` from `first_proc`.
struct JobPlan {
    int cluster = 1;
    int first_proc = 0;
    int count = 1;
    long long qdate = 0;
    std::string owner;
    std::string schedd_version;
    std::vector<std::string> vars;
    std::vector<std::vector<std::string>> rows;
};

// Where built ads go.  Both run under the library lock and must not call into Python.
struct AdSink {
    std::function<int()> new_proc;                           // schedd proc id, or null: count up
    std::function<void(ClassAd &ad, bool first)> on_ad;      // each proc ad, chained to the cluster ad
};

class SubmitDescription {
public:
    SubmitDescription();
    ~SubmitDescription();
    SubmitDescription(const SubmitDescription &) = delete;
    SubmitDescription &operator=(const SubmitDescription &) = delete;

    void parse(const std::string &text);
    std::optional<std::string> get(const std::string &key) const;
    void set(const std::string &key, const std::string &value);
    void remove(const std::string &key);
    std::vector<std::pair<std::string, std::string>> items() const;
    std::string expand(const std::string &key) const;

    const std::string &qargs() const { return qargs_; }
    void set_qargs(const std::string &args);
    bool has_queue() const { return has_queue_; }
    ItemData itemdata(const std::string &qargs_override);
    static std::vector<std::string> split_unit_separated(const std::string &item, size_t nvars);

    void set_submit_method(int method) { hash_.setSubmitMethod(method); }
    int submit_method() { return hash_.getSubmitMethod(); }

    // Caller holds the library lock.
    int make_jobs(const JobPlan &plan, const AdSink &sink);
    ClassAd *cluster_ad() { return hash_.get_cluster_ad(); }
    std::vector<std::string> take_warnings();

private:
    void check_errors(std::vector<std::string> *warnings);
    // The caller holds the library lock.
    std::vector<std::pair<std::string, std::string>> items_locked() const;
    void check_macro_cycles() const;

    SubmitHash hash_;
    MACRO_SOURCE source_;
    std::string text_;
    std::string qargs_;
    std::string remainder_;
    bool has_queue_ = false;
    std::set<std::string> deleted_;
    std::vector<std::string> warnings_;
};

}  // namespace htcpb
